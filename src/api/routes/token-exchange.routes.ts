import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ConductorError, errorKind, isConductorError } from '../../core/index.ts'
import { AWS_GET_CALLER_IDENTITY_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, TOKEN_TYPES } from '../../identity/index.ts'
import type { TokenExchange } from '../../identity/index.ts'
import { refusalOf } from '../framework-errors.ts'
import { statusOf } from '../error-handler.ts'

/** What the token endpoint and its metadata need. */
export interface TokenExchangeRoutesDeps {
  exchange: TokenExchange
  /** Conductor's public URL: the `issuer` of the metadata. */
  publicUrl: string
  /** The value AWS callers sign into `X-Conductor-Server-Id` (and its STS endpoint and region), when AWS sign-in is on. */
  aws: { serverId: string; stsEndpoint: string; region: string } | null
}

const text = z.string().max(20_000)
const many = z.union([z.string().max(2000), z.array(z.string().max(2000)).max(10)])
const tokenRequest = z.looseObject({
  grant_type: text.optional().describe(`Must be \`${TOKEN_EXCHANGE_GRANT_TYPE}\``),
  subject_token: text.optional().describe('The credential: a workload JWT, a person\'s IdP token, a Conductor token, or a signed GetCallerIdentity request (base64url JSON)'),
  subject_token_type: text.optional().describe(`\`${TOKEN_TYPES.jwt}\`, \`${TOKEN_TYPES.idToken}\`, \`${TOKEN_TYPES.accessToken}\` or \`${AWS_GET_CALLER_IDENTITY_TOKEN_TYPE}\``),
  service_account: text.optional().describe('Extension: the service account to act as, when several trust the workload credential'),
  scope: text.optional().describe('Space-separated actions the new token is limited to (narrows only)'),
  requested_token_type: text.optional().describe(`Only \`${TOKEN_TYPES.accessToken}\``),
  resource: many.optional().describe('When given: Conductor\'s public URL'),
  audience: many.optional().describe('When given: Conductor\'s public URL or `identity.audience`'),
}).meta({ id: 'TokenExchangeRequest', description: 'RFC 8693 token exchange, as application/x-www-form-urlencoded (or JSON).' })

const tokenResponse = z.strictObject({
  access_token: z.string().describe('A Conductor exchanged token (`cdx_…`), sent as `Authorization: Bearer`'),
  issued_token_type: z.literal(TOKEN_TYPES.accessToken),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('Seconds; never past the subject credential\'s own expiry'),
  scope: z.string().optional().describe('The actions the token is limited to, when `scope` narrowed it'),
}).meta({ id: 'TokenExchangeResponse' })

const oauthError = z.strictObject({
  error: z.enum(['invalid_request', 'invalid_grant', 'unsupported_grant_type', 'invalid_target', 'invalid_scope', 'temporarily_unavailable', 'server_error']),
  error_description: z.string(),
  error_field: z.string().optional().describe('Conductor extension: the parameter that was wrong'),
  error_code: z.string().optional().describe('Conductor extension: the stable code of docs/errors.md (e.g. `token_expired`)'),
}).meta({ id: 'OAuthError', description: 'RFC 6749 §5.2 error (not the API\'s usual error body).' })

const metadata = z.strictObject({
  issuer: z.string(),
  token_endpoint: z.string(),
  grant_types_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  conductor_subject_token_types_supported: z.array(z.string()),
  conductor_aws_server_id: z.string().optional().describe('What AWS callers sign into the X-Conductor-Server-Id header'),
  conductor_aws_sts_endpoint: z.string().optional(),
  conductor_aws_region: z.string().optional(),
}).meta({ id: 'AuthorizationServerMetadata' })

const OAUTH_ERROR_OF_CODE: Record<string, z.output<typeof oauthError>['error']> = {
  unsupported_grant_type: 'unsupported_grant_type',
  invalid_grant: 'invalid_grant',
  invalid_target: 'invalid_target',
  invalid_scope: 'invalid_scope',
}

/** Answers an error as RFC 6749 §5.2 says, with `error_field` and `error_code` as Conductor's extensions. */
function sendOAuthError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
  if (hasZodFastifySchemaValidationErrors(error)) {
    const field = error.validation[0]?.instancePath.split('/').filter(Boolean)[0] ?? 'request'
    return reply.code(400).send({ error: 'invalid_request', error_description: `${field}: ${error.validation[0]?.message ?? 'invalid'}`, error_field: field, error_code: 'invalid_input' })
  }
  const refusal: ConductorError | null = isConductorError(error) ? error : refusalOf(error, () => request.routeOptions.bodyLimit) ?? null
  if (refusal === null) {
    request.log.error({ err: error }, 'token exchange failed')
    return reply.code(500).send({ error: 'server_error', error_description: 'internal error; see the server log with this request id' })
  }
  const status = statusOf(refusal.code)
  const field = typeof refusal.details?.field === 'string' ? refusal.details.field : undefined
  if (status >= 500) {
    request.log.error({ err: refusal, code: refusal.code }, 'token exchange failed')
    const unavailable = status === 503
    return reply.code(unavailable ? 503 : 500).send({
      error: unavailable ? 'temporarily_unavailable' : 'server_error', error_description: unavailable ? refusal.message : 'internal error; see the server log with this request id', error_code: refusal.code,
    })
  }
  request.log.info({ code: refusal.code }, refusal.message)
  // RFC 8693 §2.2.2: an invalid or unacceptable subject token is invalid_request.
  const oauth = OAUTH_ERROR_OF_CODE[refusal.code] ?? 'invalid_request'
  const kind = errorKind(refusal.code)
  return reply.code(kind === 'too_large' || kind === 'unsupported_media_type' ? status : 400).send({
    error: oauth, error_description: refusal.message,
    ...(field ?? (kind === 'unauthenticated' ? 'subject_token' : undefined) ? { error_field: field ?? 'subject_token' } : {}),
    error_code: refusal.code,
  })
}

const first = (value: unknown): string | undefined => (Array.isArray(value) ? (value.length === 1 ? String(value[0]) : undefined) : typeof value === 'string' ? value : undefined)
const list = (value: unknown): string[] | undefined => (value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String))

/**
 * `POST /oauth/token` (RFC 8693 token exchange; form or JSON body; OAuth error answers) and
 * `GET /.well-known/oauth-authorization-server` (RFC 8414 metadata). Registered at the root, outside /api/v1.
 */
export function tokenExchangeRoutes(deps: TokenExchangeRoutesDeps): FastifyPluginAsyncZod {
  const issuer = deps.publicUrl.replace(/\/+$/, '')
  const tokenEndpoint = new URL('/oauth/token', deps.publicUrl).href
  return async (app) => {
    app.setErrorHandler(sendOAuthError)
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      const params = new URLSearchParams(String(body))
      const out: Record<string, string | string[]> = {}
      for (const key of new Set(params.keys())) {
        const values = params.getAll(key)
        out[key] = values.length === 1 ? values[0]! : values
      }
      done(null, out)
    })

    app.get('/.well-known/oauth-authorization-server', {
      schema: { tags: ['oauth'], summary: 'OAuth 2.0 authorization server metadata (RFC 8414): the token exchange endpoint', security: [], response: { 200: metadata } },
    }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300')
      return {
        issuer, token_endpoint: tokenEndpoint, grant_types_supported: [TOKEN_EXCHANGE_GRANT_TYPE], token_endpoint_auth_methods_supported: ['none'],
        conductor_subject_token_types_supported: [TOKEN_TYPES.jwt, TOKEN_TYPES.idToken, TOKEN_TYPES.accessToken, ...(deps.aws ? [AWS_GET_CALLER_IDENTITY_TOKEN_TYPE] : [])],
        ...(deps.aws ? { conductor_aws_server_id: deps.aws.serverId, conductor_aws_sts_endpoint: deps.aws.stsEndpoint, conductor_aws_region: deps.aws.region } : {}),
      }
    })

    app.post('/oauth/token', {
      schema: {
        tags: ['oauth'], summary: 'RFC 8693 token exchange: a workload, AWS, person or Conductor credential for a short-lived Conductor token', security: [],
        body: tokenRequest, response: { 200: tokenResponse, 400: oauthError, 413: oauthError, 415: oauthError, 500: oauthError, 503: oauthError },
      },
    }, async (request, reply) => {
      const body = request.body as Record<string, unknown>
      for (const key of ['grant_type', 'subject_token', 'subject_token_type', 'service_account', 'scope', 'requested_token_type']) {
        if (Array.isArray(body[key])) throw new ConductorError('invalid_input', `${key} is given more than once`, { details: { field: key } })
      }
      const result = await deps.exchange.exchange({
        grantType: first(body.grant_type), subjectToken: first(body.subject_token), subjectTokenType: first(body.subject_token_type),
        ...(body.service_account !== undefined ? { serviceAccount: first(body.service_account) } : {}),
        ...(body.scope !== undefined ? { scope: first(body.scope) } : {}),
        ...(body.requested_token_type !== undefined ? { requestedTokenType: first(body.requested_token_type) } : {}),
        ...(body.resource !== undefined ? { resource: list(body.resource) } : {}),
        ...(body.audience !== undefined ? { audience: list(body.audience) } : {}),
        httpRequestId: String(request.id),
      })
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      return {
        access_token: result.accessToken, issued_token_type: TOKEN_TYPES.accessToken, token_type: result.tokenType, expires_in: result.expiresIn,
        ...(result.scope !== undefined ? { scope: result.scope } : {}),
      }
    })
  }
}
