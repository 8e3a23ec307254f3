import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { isConductorError, type ErrorCode } from '../core/index.ts'

/** The HTTP status of every error code. The one place codes meet HTTP. */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  internal: 500,
  config_invalid: 500,
  store_unavailable: 503,
  token_missing: 401,
  token_malformed: 401,
  token_too_large: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  token_invalid_issuer: 401,
  token_invalid_audience: 401,
  token_invalid_signature: 401,
  token_algorithm_not_allowed: 401,
  token_invalid_claims: 401,
  issuer_unavailable: 503,
  principal_unknown: 401,
  session_invalid: 401,
  session_expired: 401,
  session_revoked: 401,
  csrf_invalid: 403,
  login_failed: 400,
  precondition_failed: 412,
  policy_invalid: 400,
  policy_denied: 403,
  policy_evaluation_failed: 500,
  secret_not_found: 500,
  secret_unreadable: 500,
  environment_not_found: 404,
  dag_not_found: 404,
  run_not_found: 404,
  task_not_found: 404,
  orchestrator_unavailable: 503,
  orchestrator_auth_failed: 502,
  orchestrator_rejected: 400,
  orchestrator_conflict: 409,
  request_not_found: 404,
  conf_invalid: 400,
  conf_too_large: 400,
  dispatch_failed: 502,
  audit_chain_broken: 500,
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId: string }
}

/**
 * Fastify's error handler: Conductor errors keep their code and, below 500, their message and details;
 * schema validation errors become `invalid_input` naming the field; anything else is logged and
 * answered with a generic 500.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const requestId = String(request.id)
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({
      field: [error.validationContext, ...(v.instancePath ? v.instancePath.split('/').filter(Boolean) : [])].filter(Boolean).join('.'),
      message: v.message ?? 'invalid',
    }))
    return reply.code(400).send({
      error: { code: 'invalid_input', message: `${issues[0]?.field ?? 'request'}: ${issues[0]?.message ?? 'invalid'}`, details: { field: issues[0]?.field, issues }, requestId },
    } satisfies ErrorBody)
  }
  if (isConductorError(error)) {
    const status = STATUS_BY_CODE[error.code] ?? 500
    if (status >= 500) request.log.error({ err: error, code: error.code }, 'request failed')
    else request.log.info({ code: error.code }, error.message)
    if (status === 401 && error.code.startsWith('token_')) reply.header('www-authenticate', error.code === 'token_missing' ? 'Bearer realm="conductor"' : `Bearer realm="conductor", error="invalid_token"`)
    const exposed = status < 500 || status === 503 || status === 502
    return reply.code(status).send({
      error: {
        code: error.code,
        message: exposed ? error.message : 'internal error; see the server log with this request id',
        ...(exposed && error.details ? { details: error.details } : {}),
        requestId,
      },
    } satisfies ErrorBody)
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    const code = error.statusCode === 404 ? 'not_found' : 'invalid_input'
    return reply.code(error.statusCode).send({ error: { code, message: error.message, requestId } } satisfies ErrorBody)
  }
  request.log.error({ err: error }, 'unhandled error')
  return reply.code(500).send({ error: { code: 'internal', message: 'internal error; see the server log with this request id', requestId } } satisfies ErrorBody)
}
