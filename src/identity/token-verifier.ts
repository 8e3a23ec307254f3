import { createHash } from 'node:crypto'
import {
  createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify,
} from 'jose'
import type { FetchImplementation, JWSHeaderParameters, FlattenedJWSInput, JWTPayload, RemoteJWKSet } from 'jose'
import type { IdentityConfig, IssuerConfig } from '../config/index.ts'
import { ConductorError, systemClock } from '../core/index.ts'
import type { Clock, ErrorCode } from '../core/index.ts'
import { readStringClaim } from './claims.ts'

/** A token whose signature, issuer, audience and times have been checked. */
export interface VerifiedToken {
  /** The configured name of the issuer (`identity.issuers[].name`). */
  issuerName: string
  /** The `iss` value. */
  issuer: string
  /** The subject, read from the issuer's `subjectClaim` (default `sub`). */
  subject: string
  /** Every claim of the token. */
  claims: JWTPayload
  /** When the token expires, in milliseconds since the epoch; `null` when it carries no `exp`. */
  expiresAt: number | null
  /** The IdP session (`sid`), if the token names one. */
  sessionId: string | null
  /** The token's id (`jti`), if any. */
  tokenId: string | null
}

/** Checks bearer tokens against the configured issuers. */
export interface TokenVerifier {
  /**
   * Verifies a compact JWS bearer token (without the `Bearer ` prefix).
   * Rejects with a {@link ConductorError} whose code says what was wrong
   * (`token_missing`, `token_too_large`, `token_malformed`, `token_invalid_issuer`,
   * `token_algorithm_not_allowed`, `token_unsupported_critical_header`, `token_invalid_signature`, `token_expired`,
   * `token_not_yet_valid`, `token_invalid_audience`, `token_invalid_claims`) or
   * `issuer_unavailable` when the issuer's discovery document or keys cannot be had.
   * The message never contains the token.
   */
  verify(token: string): Promise<VerifiedToken>
  /**
   * Verifies an OpenID Connect Back-Channel Logout token: signed by a configured issuer, `aud` = `clientId`,
   * with `iat`, `exp`, `jti`, the back-channel-logout event, `sub` or `sid`, and no `nonce`.
   */
  verifyLogoutToken(token: string, clientId: string): Promise<VerifiedToken>
  /** Drops cached discovery documents, keys and verified tokens. */
  close(): void
  /** Hits and misses of the verified-token cache since start, for metrics. */
  cacheStats(): TokenCacheStats
}

/** Dependencies of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  identity: IdentityConfig
  /** Time for `exp`/`nbf`/`iat` checks; the wall clock by default. */
  clock?: Clock
  /** Fetch used for discovery and key sets; the global `fetch` by default. */
  fetch?: typeof globalThis.fetch
  /** Timeout of each discovery or key set request, in milliseconds (default 5000). */
  timeoutMs?: number
  /**
   * How many verified tokens to remember (by the SHA-256 of the token, least recently used dropped) until they expire,
   * so a token presented again is not verified again; default 10,000, 0 verifies every time. Revocation is not the
   * verifier's business: callers check the revocation list on every use (see `Revocations.check`).
   */
  cacheSize?: number
}

/** Counters of the verified-token cache. */
export interface TokenCacheStats {
  hits: number
  misses: number
  entries: number
}

const FORBIDDEN_ALG = /^(none|HS\d+)$/i
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

interface IssuerState {
  config: IssuerConfig
  audience: string[]
  algorithms: string[]
  keys: Promise<RemoteJWKSet> | undefined
}

function fail(code: ErrorCode, message: string, issuerName?: string, cause?: unknown): ConductorError {
  return new ConductorError(code, message, { details: issuerName === undefined ? undefined : { issuer: issuerName }, cause })
}

/**
 * Creates a {@link TokenVerifier} for `identity.issuers`.
 *
 * The issuer is chosen by the token's (unverified) `iss` among the configured issuers; its keys come
 * from `jwksUri` or from OIDC discovery (`<issuer>/.well-known/openid-configuration`, whose `issuer`
 * must equal the configured one). Key sets are cached for `identity.jwksCacheSeconds`; a token with an
 * unknown `kid` triggers one refetch (key rotation), at most once per `identity.jwksCooldownSeconds`.
 * Only the issuer's asymmetric `algorithms` are accepted — never `none`, never `HS*`. Tokens larger
 * than `identity.maxTokenBytes` are refused before they are parsed. Times are checked against `clock`
 * with `identity.clockSkewSeconds` of tolerance, and a token must carry `exp`.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { identity } = options
  const clock = options.clock ?? systemClock
  const fetchImpl = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? 5000
  const cacheSize = Math.max(0, options.cacheSize ?? 10_000)
  const verified = new Map<string, VerifiedToken>()
  const cacheCounts = { hits: 0, misses: 0 }
  const byIss = new Map<string, IssuerState>()
  for (const config of identity.issuers) {
    if (byIss.has(config.issuer)) continue
    const audience = config.audience ?? identity.audience
    byIss.set(config.issuer, {
      config,
      audience: Array.isArray(audience) ? audience : [audience],
      algorithms: config.algorithms.filter((alg) => !FORBIDDEN_ALG.test(alg)),
      keys: undefined,
    })
  }

  async function discoverJwksUri(config: IssuerConfig): Promise<string> {
    if (config.jwksUri !== undefined) return config.jwksUri
    const url = `${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
    let doc: unknown
    try {
      const response = await fetchImpl(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
      if (response.status !== 200) {
        await response.body?.cancel()
        throw fail('issuer_unavailable', `issuer "${config.name}": discovery answered HTTP ${response.status}`, config.name)
      }
      doc = await response.json()
    } catch (error) {
      if (error instanceof ConductorError) throw error
      throw fail('issuer_unavailable', `issuer "${config.name}": discovery failed`, config.name, error)
    }
    const meta = doc !== null && typeof doc === 'object' ? doc as Record<string, unknown> : {}
    if (meta.issuer !== config.issuer) {
      throw fail('issuer_unavailable', `issuer "${config.name}": discovery names issuer ${JSON.stringify(meta.issuer)}, expected "${config.issuer}"`, config.name)
    }
    if (typeof meta.jwks_uri !== 'string' || URL.parse(meta.jwks_uri) === null) {
      throw fail('issuer_unavailable', `issuer "${config.name}": discovery has no valid jwks_uri`, config.name)
    }
    return meta.jwks_uri
  }

  function keysOf(state: IssuerState): Promise<RemoteJWKSet> {
    if (state.keys === undefined) {
      const pending = discoverJwksUri(state.config).then((uri) => createRemoteJWKSet(new URL(uri), {
        timeoutDuration: timeoutMs,
        cacheMaxAge: identity.jwksCacheSeconds * 1000,
        cooldownDuration: identity.jwksCooldownSeconds * 1000,
        [customFetch]: fetchImpl as FetchImplementation,
      }))
      // A failed discovery is retried by the next token rather than cached.
      pending.catch(() => { if (state.keys === pending) state.keys = undefined })
      state.keys = pending
    }
    return state.keys
  }

  async function verify(token: string, logoutAudience?: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.trim().length === 0) throw fail('token_missing', 'no bearer token was presented')
    if (token.length > identity.maxTokenBytes || Buffer.byteLength(token, 'utf8') > identity.maxTokenBytes) {
      throw fail('token_too_large', `the token is larger than ${identity.maxTokenBytes} bytes`)
    }
    if (token.split('.').length !== 3) throw fail('token_malformed', 'the token is not a compact signed JWT')
    let header: JWSHeaderParameters
    let unverified: JWTPayload
    try {
      header = decodeProtectedHeader(token) as JWSHeaderParameters
      unverified = decodeJwt(token)
    } catch (error) {
      throw fail('token_malformed', 'the token is not a compact signed JWT', undefined, error)
    }
    const state = typeof unverified.iss === 'string' ? byIss.get(unverified.iss) : undefined
    if (state === undefined) throw fail('token_invalid_issuer', 'the token\'s issuer is not a trusted issuer')
    const { config } = state
    if (typeof header.alg !== 'string' || !state.algorithms.includes(header.alg)) {
      throw fail('token_algorithm_not_allowed', `issuer "${config.name}": signature algorithm ${JSON.stringify(header.alg ?? null)} is not allowed`, config.name)
    }
    const jwks = await keysOf(state).catch((error: unknown) => {
      throw error instanceof ConductorError ? error : fail('issuer_unavailable', `issuer "${config.name}": keys unavailable`, config.name, error)
    })
    const keyFor = async (protectedHeader?: JWSHeaderParameters, input?: FlattenedJWSInput) => {
      try {
        return await jwks(protectedHeader, input)
      } catch (error) {
        if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) throw error
        throw fail('issuer_unavailable', `issuer "${config.name}": key set unavailable`, config.name, error)
      }
    }
    const now = clock.now()
    let payload: JWTPayload
    try {
      ({ payload } = await jwtVerify(token, keyFor, {
        issuer: config.issuer,
        audience: logoutAudience ?? state.audience,
        algorithms: state.algorithms,
        clockTolerance: identity.clockSkewSeconds,
        currentDate: new Date(now),
        requiredClaims: logoutAudience ? ['exp', 'iat', 'jti', 'events'] : ['exp'],
      }))
    } catch (error) {
      throw mapJoseError(error, config.name, header)
    }
    if (typeof payload.iat === 'number' && payload.iat > Math.floor(now / 1000) + identity.clockSkewSeconds) {
      throw fail('token_invalid_claims', `issuer "${config.name}": the token was issued in the future`, config.name)
    }
    if (logoutAudience) {
      const events = payload.events as Record<string, unknown> | undefined
      if (!events || typeof events !== 'object' || !(BACKCHANNEL_LOGOUT_EVENT in events) || 'nonce' in payload || (typeof payload.sub !== 'string' && typeof payload.sid !== 'string')) {
        throw fail('token_invalid_claims', `issuer "${config.name}": not a back-channel logout token`, config.name)
      }
      return {
        issuerName: config.name, issuer: config.issuer, subject: typeof payload.sub === 'string' ? payload.sub : '',
        claims: payload, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
        sessionId: readStringClaim(payload, 'sid'), tokenId: readStringClaim(payload, 'jti'),
      }
    }
    const subject = readStringClaim(payload, config.subjectClaim)
    if (subject === null) throw fail('token_invalid_claims', `issuer "${config.name}": the token has no "${config.subjectClaim}" claim`, config.name)
    return {
      issuerName: config.name,
      issuer: config.issuer,
      subject,
      claims: payload,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
      sessionId: readStringClaim(payload, 'sid'),
      tokenId: readStringClaim(payload, 'jti'),
    }
  }

  /** Still within its `exp` as jose judges it: whole seconds, with the configured skew. */
  const unexpired = (token: VerifiedToken) => token.expiresAt !== null && Math.floor(clock.now() / 1000) - identity.clockSkewSeconds < token.expiresAt / 1000

  async function verifyCached(token: string): Promise<VerifiedToken> {
    if (cacheSize === 0 || typeof token !== 'string' || token.length > identity.maxTokenBytes) return verify(token)
    const key = createHash('sha256').update(token).digest('base64url')
    const hit = verified.get(key)
    if (hit !== undefined) {
      verified.delete(key)
      if (unexpired(hit)) {
        cacheCounts.hits++
        verified.set(key, hit)
        return hit
      }
    }
    cacheCounts.misses++
    const fresh = await verify(token)
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string)
    verified.set(key, Object.freeze(fresh))
    return fresh
  }

  return {
    verify: verifyCached,
    verifyLogoutToken: (token, clientId) => verify(token, clientId),
    close() {
      for (const state of byIss.values()) state.keys = undefined
      verified.clear()
    },
    cacheStats: () => ({ ...cacheCounts, entries: verified.size }),
  }
}

function mapJoseError(error: unknown, issuerName: string, header: JWSHeaderParameters): ConductorError {
  if (error instanceof ConductorError) return error
  const prefix = `issuer "${issuerName}": `
  if (error instanceof joseErrors.JWTExpired) {
    return fail('token_expired', `${prefix}the token has expired`, issuerName, error)
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf': return fail('token_not_yet_valid', `${prefix}the token is not valid yet`, issuerName, error)
      case 'iss': return fail('token_invalid_issuer', `${prefix}the token's issuer does not match`, issuerName, error)
      case 'aud': return fail('token_invalid_audience', `${prefix}the token is not meant for this audience`, issuerName, error)
      default: return fail('token_invalid_claims', `${prefix}claim "${error.claim}" is invalid (${error.reason})`, issuerName, error)
    }
  }
  // jose raises JOSENotSupported both for an unknown algorithm and for a `crit` extension it does not understand.
  if (error instanceof joseErrors.JOSENotSupported && Array.isArray(header.crit) && header.crit.length > 0) {
    return fail('token_unsupported_critical_header', `${prefix}the token's "crit" header names an extension Conductor does not understand (${header.crit.map(String).join(', ').slice(0, 200)})`, issuerName, error)
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return fail('token_algorithm_not_allowed', `${prefix}the token's signature algorithm is not allowed`, issuerName, error)
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return fail('token_invalid_signature', `${prefix}the token is signed by a key the issuer does not publish`, issuerName, error)
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return fail('token_invalid_signature', `${prefix}the token's signature is invalid`, issuerName, error)
  }
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JOSEError) {
    return fail('token_malformed', `${prefix}the token is malformed`, issuerName, error)
  }
  return fail('internal', `${prefix}token verification failed unexpectedly`, issuerName, error)
}
