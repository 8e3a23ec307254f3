import type { FastifyError } from 'fastify'
import { ConductorError, type ErrorCode } from '../core/index.ts'

/*
 * Refusals that happen before any route runs (router, body parser, Node's HTTP parser), as Conductor errors, so they
 * are answered in the error envelope with a registry code instead of Fastify's or Node's own bodies.
 */

/** Fastify's codes for refusals of the request itself, with the registry code each becomes. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
}

/**
 * The Conductor error for a Fastify error that refuses the request (bad URL, body too large, unsupported media type,
 * invalid JSON…), or null when `error` is not such a refusal. `bodyLimit` gives the route's body limit in bytes.
 */
export function refusalOf(error: FastifyError, bodyLimit: () => number): ConductorError | null {
  if (typeof error.statusCode !== 'number' || error.statusCode < 400 || error.statusCode >= 500) return null
  const code = FASTIFY_CODES[error.code] ?? (error.statusCode === 404 ? 'not_found' : 'invalid_input')
  if (code === 'payload_too_large') return new ConductorError(code, `the body is larger than ${bodyLimit()} bytes`, { details: { field: 'body', limit: bodyLimit() } })
  if (code === 'uri_too_long') return new ConductorError(code, 'a path segment is longer than 250 characters', { details: { field: 'params' } })
  if (code === 'unsupported_media_type') return new ConductorError(code, `${error.message}; send application/json`, { details: { field: 'body' } })
  if (error.code === 'FST_ERR_BAD_URL') return new ConductorError(code, 'the URL has an invalid percent-encoding', { details: { field: 'url' } })
  return new ConductorError(code, error.message, { details: { field: error.code?.startsWith('FST_ERR_CTP') ? 'body' : 'request' } })
}

/** The error for a JSON body that parses but carries a `__proto__` or `constructor.prototype` key (prototype poisoning). */
export function poisonedBody(): ConductorError {
  return new ConductorError('invalid_input', 'the JSON body has a "__proto__" or "constructor.prototype" key; Conductor refuses them (prototype poisoning)', { details: { field: 'body' } })
}

/** A request no route takes: `method_not_allowed` naming the `allowed` methods when the path has others, else `not_found`. */
export function noRoute(method: string, path: string, allowed: readonly string[]): ConductorError {
  return allowed.length > 0
    ? new ConductorError('method_not_allowed', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`, { details: { method, allowed } })
    : new ConductorError('not_found', `no route ${method} ${path}`, { details: { method, path } })
}

/** A request Node's HTTP parser refused before Fastify saw it: `headers_too_large`, else `invalid_input`. */
export function clientError(error: Error & { code?: string }): ConductorError {
  return error.code === 'HPE_HEADER_OVERFLOW'
    ? new ConductorError('headers_too_large', 'the request headers are larger than the server accepts', { details: { field: 'headers' } })
    : new ConductorError('invalid_input', 'the request is not valid HTTP', { details: { field: 'request' } })
}
