import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { z } from 'zod'
import type { IdempotencyKeys, IdempotentRequest } from '../governance/index.ts'
import type { Principal } from '../identity/index.ts'
import { errors } from './responses.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route accepts an `Idempotency-Key` header: see {@link useIdempotency}. */
    idempotent?: boolean
  }
}

/** The request header naming a mutation's idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'

/** The answer header that marks a replayed first answer. */
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed'

/** A valid `Idempotency-Key`: 1 to 255 printable ASCII characters (a UUID is a good one). */
export const idempotencyKey = z.string()
  .regex(/^[\x20-\x7e]{1,255}$/, 'Idempotency-Key must be 1 to 255 printable ASCII characters')
  .describe('Makes this request safe to retry: a retry with the same key and the same request answers the first answer again (with `Idempotency-Replayed: true`) and never acts twice; the same key with another request answers 422 `idempotency_key_reused`; while the first is processed, 409 `idempotency_key_in_use`. Keys are per principal and remembered for `governance.idempotencyKeyHours` (24 h by default).')

/** The route option that opts a route in: `config: idempotent`. */
export const idempotent = { idempotent: true } as const

/**
 * Lets the routes registered on `app` after this call opt in to idempotency with `config: idempotent`. Such a route
 * documents the `Idempotency-Key` header and its 409/422 answers; when a request carries the key (validated by the
 * schema: a malformed one is a 400 naming the header, and nothing is recorded), the key is claimed for the
 * principal before the handler runs. A retry with the same key and request gets the first answer (status, body,
 * `location`) with `Idempotency-Replayed: true`, and the handler does not run. Answers below 500 are kept until the
 * key expires; 5xx and 429 answers release the key, except one whose dispatch outcome is unknown (kept). Requests without the header are handled as before.
 */
export function useIdempotency(app: FastifyInstance, deps: { keys: IdempotencyKeys; who: (request: FastifyRequest) => Principal }): void {
  const claimed = new WeakMap<FastifyRequest, IdempotentRequest>()

  const claim = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers[IDEMPOTENCY_KEY_HEADER]
    if (typeof key !== 'string') return
    const principal = deps.who(request)
    const attempt: IdempotentRequest = {
      principalType: principal.type, principalId: principal.id, key, method: request.method, route: request.url,
      bodyHash: createHash('sha256').update(canonicalize(request.body ?? null) ?? '', 'utf8').digest('hex'), httpRequestId: String(request.id),
    }
    const outcome = await deps.keys.claim(attempt)
    if (outcome.outcome === 'claimed') { claimed.set(request, attempt); return }
    request.log.info({ originalRequestId: outcome.originalHttpRequestId }, 'idempotent request replayed')
    reply.code(outcome.answer.status).header(IDEMPOTENCY_REPLAYED_HEADER, 'true').header('content-type', 'application/json; charset=utf-8')
    if (outcome.answer.location) reply.header('location', outcome.answer.location)
    // A string with a JSON content type is sent as is: the first answer, byte for byte.
    return reply.send(outcome.answer.body)
  }

  const settle = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const attempt = claimed.get(request)
    if (!attempt) return payload
    claimed.delete(request)
    const location = reply.getHeader('location')
    try {
      await deps.keys.settle(attempt, { status: reply.statusCode, body: typeof payload === 'string' ? payload : String(payload), location: typeof location === 'string' ? location : null })
    } catch (error) {
      // The answer still goes out; a retry with this key then gets 409 until the key expires, never a second action.
      request.log.error({ err: error }, 'could not record the answer of an idempotent request')
    }
    return payload
  }

  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.idempotent !== true) return
    const schema = route.schema ?? {}
    route.schema = {
      ...schema,
      headers: z.looseObject({ [IDEMPOTENCY_KEY_HEADER]: idempotencyKey.optional() }),
      response: { ...(schema.response as object | undefined), ...errors(409, 422) },
    }
    route.preHandler = [...hooks(route.preHandler), claim]
    route.onSend = [...hooks(route.onSend), settle]
  })
}

function hooks<H>(given: H | H[] | undefined): H[] {
  return given === undefined ? [] : Array.isArray(given) ? given : [given]
}

