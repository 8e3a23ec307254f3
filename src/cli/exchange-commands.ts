import { readFile } from 'node:fs/promises'
import aws4 from 'aws4'
import type { Command } from 'commander'
import { ConductorError } from '../core/index.ts'
import { ApiError } from './api-client.ts'
import type { CliContext } from './context.ts'

/** Where `--kubernetes` reads the projected service-account token by default (a `serviceAccountToken` volume with Conductor's audience). */
export const DEFAULT_KUBERNETES_TOKEN_FILE = '/var/run/secrets/tokens/conductor'

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const TYPES: Record<string, string> = {
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  aws: 'urn:conductor:params:oauth:token-type:aws-sts-get-caller-identity',
}
const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15'
const TIMEOUT_MS = 15_000

interface ExchangeOptions {
  githubActions?: boolean
  kubernetes?: boolean
  tokenFile?: string
  aws?: boolean
  serverId?: string
  stsEndpoint?: string
  region?: string
  subjectTokenFile?: string
  subjectTokenType: string
  audience?: string
  serviceAccount?: string
  scope?: string[]
}

interface Metadata { issuer?: string; conductor_aws_server_id?: string; conductor_aws_sts_endpoint?: string; conductor_aws_region?: string }

const invalid = (message: string, field: string) => new ConductorError('invalid_input', message, { details: { field } })

async function fetchJson(url: string, init: RequestInit, what: string): Promise<Record<string, unknown>> {
  let response: Response
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (error) {
    throw new ConductorError('issuer_unavailable', `${what}: ${url} could not be reached`, { cause: error })
  }
  const text = await response.text()
  let body: unknown
  try { body = JSON.parse(text) } catch { body = undefined }
  if (!response.ok) {
    const oauth = body as { error?: string; error_description?: string; error_code?: string; error_field?: string } | undefined
    throw new ApiError(response.status, oauth?.error_code ?? oauth?.error ?? `http_${response.status}`, `${what}: ${oauth?.error_description ?? `HTTP ${response.status}`}${oauth?.error ? ` (${oauth.error})` : ''}`, oauth?.error_field ? { field: oauth.error_field } : undefined)
  }
  if (body === null || typeof body !== 'object') throw new ConductorError('issuer_unavailable', `${what}: the answer is not JSON`)
  return body as Record<string, unknown>
}

/** An ID token from GitHub Actions' OIDC provider for `audience` (the job needs `permissions: id-token: write`). */
async function githubActionsToken(env: NodeJS.ProcessEnv, audience: string): Promise<string> {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!url || !bearer) throw invalid('--github-actions needs ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (give the job `permissions: id-token: write`)', 'github-actions')
  const target = new URL(url)
  target.searchParams.set('audience', audience)
  const answer = await fetchJson(target.href, { headers: { authorization: `bearer ${bearer}`, accept: 'application/json' } }, 'GitHub Actions ID token')
  if (typeof answer.value !== 'string') throw new ConductorError('issuer_unavailable', 'GitHub Actions ID token: the answer has no "value"')
  return answer.value
}

/** A signed `sts:GetCallerIdentity` request (base64url JSON) from the AWS_* environment credentials, carrying `serverId`. */
export function signGetCallerIdentity(env: NodeJS.ProcessEnv, stsEndpoint: string, region: string, serverId: string): string {
  const accessKeyId = env.AWS_ACCESS_KEY_ID
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY
  if (!accessKeyId || !secretAccessKey) throw invalid('--aws needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for a role)', 'aws')
  const url = new URL(stsEndpoint)
  const signed = aws4.sign({
    host: url.host, path: `${url.pathname}${url.search}`, method: 'POST', service: 'sts', region, body: GET_CALLER_IDENTITY_BODY,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-conductor-server-id': serverId },
  }, { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) })
  return Buffer.from(JSON.stringify({ method: 'POST', url: url.href, headers: signed.headers, body: GET_CALLER_IDENTITY_BODY })).toString('base64url')
}

/**
 * `conductor exchange`: trades a workload credential (GitHub Actions, Kubernetes, AWS IAM, or a token file) for a
 * short-lived Conductor token at `/oauth/token` and prints only that token, for `export CONDUCTOR_TOKEN=$(conductor exchange …)`.
 */
export function registerExchangeCommands(program: Command, ctx: CliContext): void {
  program.command('exchange')
    .description('Exchange a workload credential for a short-lived Conductor token (prints only the token)')
    .option('--github-actions', 'use the GitHub Actions job\'s OIDC token (needs `permissions: id-token: write`)')
    .option('--kubernetes', 'use the pod\'s projected service-account token')
    .option('--token-file <file>', `with --kubernetes: the token file (default ${DEFAULT_KUBERNETES_TOKEN_FILE})`)
    .option('--aws', 'prove the AWS IAM role of AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (a signed sts:GetCallerIdentity)')
    .option('--server-id <id>', 'with --aws: the server id to sign (default: from the server\'s /.well-known/oauth-authorization-server)')
    .option('--sts-endpoint <url>', 'with --aws: the STS endpoint to sign for (default: from the server\'s metadata)')
    .option('--region <region>', 'with --aws: the signing region (default: from the server\'s metadata)')
    .option('--subject-token-file <file>', 'exchange the token in this file')
    .option('--subject-token-type <type>', 'with --subject-token-file: jwt, id_token or access_token', 'jwt')
    .option('--audience <aud>', 'with --github-actions: the audience to ask GitHub for (default: the server\'s URL)')
    .option('--service-account <name>', 'the service account to act as, when several trust the credential')
    .option('--scope <action...>', 'limit the token to these actions (e.g. dag:read dag:trigger)')
    .action(async (opts: ExchangeOptions) => {
      const sources = [opts.githubActions, opts.kubernetes, opts.aws, opts.subjectTokenFile !== undefined].filter(Boolean).length
      if (sources !== 1) throw invalid('name exactly one of --github-actions, --kubernetes, --aws, --subject-token-file', 'source')
      const server = ctx.server()
      let subjectToken: string
      let subjectTokenType = TYPES.jwt!
      if (opts.githubActions) {
        subjectToken = await githubActionsToken(ctx.env, opts.audience ?? server)
      } else if (opts.kubernetes || opts.subjectTokenFile !== undefined) {
        const file = opts.subjectTokenFile ?? opts.tokenFile ?? DEFAULT_KUBERNETES_TOKEN_FILE
        subjectToken = (await readFile(file, 'utf8').catch((error: unknown) => { throw invalid(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 'token-file') })).trim()
        if (opts.subjectTokenFile !== undefined) {
          const type = TYPES[opts.subjectTokenType]
          if (type === undefined || opts.subjectTokenType === 'aws') throw invalid('--subject-token-type is jwt, id_token or access_token', 'subject-token-type')
          subjectTokenType = type
        }
      } else {
        let { serverId, stsEndpoint, region } = opts
        if (!serverId || !stsEndpoint || !region) {
          const meta = await fetchJson(new URL('/.well-known/oauth-authorization-server', server).href, { headers: { accept: 'application/json' } }, 'server metadata') as Metadata
          serverId ??= meta.conductor_aws_server_id
          stsEndpoint ??= meta.conductor_aws_sts_endpoint
          region ??= meta.conductor_aws_region
        }
        if (!serverId || !stsEndpoint || !region) throw invalid('the server does not accept AWS IAM sign-in (identity.aws.enabled); or pass --server-id, --sts-endpoint and --region', 'aws')
        subjectToken = signGetCallerIdentity(ctx.env, stsEndpoint, region, serverId)
        subjectTokenType = TYPES.aws!
      }
      const form = new URLSearchParams({ grant_type: GRANT, subject_token: subjectToken, subject_token_type: subjectTokenType })
      if (opts.serviceAccount) form.set('service_account', opts.serviceAccount)
      if (opts.scope?.length) form.set('scope', opts.scope.join(' '))
      const answer = await fetchJson(new URL('/oauth/token', server).href, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString(),
      }, 'token exchange')
      if (typeof answer.access_token !== 'string') throw new ConductorError('issuer_unavailable', 'token exchange: the answer has no access_token')
      ctx.out(answer.access_token)
      ctx.err(`conductor: token for ${opts.serviceAccount ?? 'the trusted service account'}, valid ${String(answer.expires_in)} s${typeof answer.scope === 'string' ? `, scope ${answer.scope}` : ''}`)
    })
}
