import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import type { z } from 'zod'
import { ERROR_CODES, errorKind, isConductorError, type ConductorError, type ErrorCode, type ErrorKind } from '../core/index.ts'
import { refusalOf } from './framework-errors.ts'
import type { errorBody } from './responses.ts'

/** The HTTP status of each kind of error: the one place error codes meet HTTP. */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  sign_in_failed: 400,
  denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  headers_too_large: 431,
  conflict: 409,
  stale: 412,
  mismatch: 422,
  unavailable: 503,
  throttled: 429,
  upstream: 502,
  misconfigured: 500,
  internal: 500,
  integrity: 500,
}

/** The HTTP status of an error code. */
export function statusOf(code: ErrorCode): number {
  return STATUS_BY_KIND[errorKind(code)]
}

/** The HTTP status of every error code, derived from {@link STATUS_BY_KIND}. */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = Object.freeze(
  Object.fromEntries(ERROR_CODES.map((code) => [code, statusOf(code)])) as Record<ErrorCode, number>,
)

/** The JSON body of every error answer (see {@link errorBody} for its schema). */
export type ErrorBody = z.output<typeof errorBody>

/**
 * Fastify's error handler: Conductor errors keep their code and, below 500, their message and details;
 * schema validation errors become `invalid_input` naming the field; Fastify's own refusals of a request (body too
 * large, unsupported media type, bad URL…) get their registry code (see `refusalOf`); anything else is logged and
 * answered with a generic 500. A 429 or 503 whose details carry `retryAfterSeconds` also gets a `Retry-After` header.
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
  const refusal = isConductorError(error) ? error : refusalOf(error, () => request.routeOptions.bodyLimit)
  if (refusal) return sendError(refusal, request, reply)
  request.log.error({ err: error }, 'unhandled error')
  return reply.code(500).send({ error: { code: 'internal', message: 'internal error; see the server log with this request id', requestId } } satisfies ErrorBody)
}

/** Answers `error` in the envelope with the status of its kind; 5xx messages and details stay in the log. */
export function sendError(error: ConductorError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const requestId = String(request.id)
  const status = statusOf(error.code)
  if (status >= 500) request.log.error({ err: error, code: error.code }, 'request failed')
  else request.log.info({ code: error.code }, error.message)
  if (status === 401 && error.code.startsWith('token_')) reply.header('www-authenticate', error.code === 'token_missing' ? 'Bearer realm="conductor"' : `Bearer realm="conductor", error="invalid_token"`)
  const retryAfter = error.details?.retryAfterSeconds
  if ((status === 429 || status === 503) && typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter > 0) reply.header('retry-after', String(retryAfter))
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
