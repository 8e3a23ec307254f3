import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose'
import type { AirflowTokensConfig, SecretRef } from '../config/index.ts'
import { ConductorError, systemClock, type Clock } from '../core/index.ts'

/** The longest a per-person token for Airflow may live, in seconds. */
export const MAX_AIRFLOW_TOKEN_SECONDS = 60

/** A public JSON Web Key as published in the JWKS. */
export type PublicJwk = JWK & { kid: string; kty: string }

/** What Airflow's `trusted_jwks_url` reads: `{"keys": [...]}`. */
export interface AirflowJwks {
  keys: PublicJwk[]
}

/** Who a token is for: a principal's id (`sub`, Airflow's `triggering_user_name`) and type. */
export interface TokenActor {
  id: string
  type: string
}

/** Signs per-person tokens for Airflow and publishes the keys that verify them. */
export interface AirflowTokenSigner {
  /**
   * A JWT for `actor` with `aud` = `audience`, `iss` = Conductor's public URL, `iat`/`nbf`/`exp` (lifetime from config,
   * at most 60 s), a fresh `jti`, `principal_type`, and `claims` (e.g. `role`); its header names the key (`kid`, the
   * key's RFC 7638 thumbprint) and the algorithm (ES256 for EC P-256 keys, RS256 for RSA). Signed with the first
   * configured key, read through the secrets provider on every call (a rotated secret takes effect without a restart).
   * @throws ConductorError `config_invalid` when no signing key is configured or a key is not a usable private key;
   * the secrets errors when a key cannot be read.
   */
  sign(actor: TokenActor, audience: string, claims?: Record<string, string>): Promise<string>
  /** Every configured signing key's public half, then every key of `extraJwks`, each with `kid`, `alg` and `use: "sig"` where known. */
  jwks(): Promise<AirflowJwks>
}

/** Options of {@link createAirflowTokenSigner}. */
export interface AirflowTokenSignerOptions {
  config: AirflowTokensConfig
  /** Reads a secret's current value (the secrets provider). */
  getSecret: (ref: SecretRef) => Promise<string>
  /** Conductor's public URL, the tokens' `iss`. */
  issuer: string
  clock?: Clock
  randomId?: () => string
}

interface SigningKey {
  key: KeyObject
  alg: 'ES256' | 'RS256'
  publicJwk: PublicJwk
}

/** Creates the {@link AirflowTokenSigner} of `identity.airflowTokens`. */
export function createAirflowTokenSigner(options: AirflowTokenSignerOptions): AirflowTokenSigner {
  const { config, getSecret, issuer } = options
  const clock = options.clock ?? systemClock
  const randomId = options.randomId ?? randomUUID
  const lifetime = Math.min(config.lifetimeSeconds, MAX_AIRFLOW_TOKEN_SECONDS)
  // Parsed keys per secret, by the secret's text: a rotated secret is parsed once, an unchanged one never again.
  const keysByRef = new Map<string, Map<string, Promise<SigningKey>>>()
  async function keyOf(ref: SecretRef): Promise<SigningKey> {
    const id = `${ref.provider}/${ref.secret}`
    let cache = keysByRef.get(id)
    if (!cache) { cache = new Map(); keysByRef.set(id, cache) }
    const text = (await getSecret(ref)).trim()
    let key = cache.get(text)
    if (!key) {
      key = parseSigningKey(text, ref)
      cache.clear()
      cache.set(text, key)
    }
    return key
  }

  return {
    async sign(actor, audience, claims = {}) {
      const first = config.signingKeys[0]
      if (!first) throw new ConductorError('config_invalid', 'no signing key for Airflow tokens: set identity.airflowTokens.signingKeys')
      const { key, alg, publicJwk } = await keyOf(first)
      const now = Math.floor(clock.now() / 1000)
      return new SignJWT({ ...claims, principal_type: actor.type })
        .setProtectedHeader({ alg, kid: publicJwk.kid, typ: 'JWT' })
        .setSubject(actor.id)
        .setAudience(audience)
        .setIssuer(issuer)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + lifetime)
        .setJti(randomId())
        .sign(key)
    },

    async jwks() {
      const keys: PublicJwk[] = []
      for (const ref of config.signingKeys) keys.push((await keyOf(ref)).publicJwk)
      for (const ref of config.extraJwks) keys.push(...parsePublicJwks(await getSecret(ref), ref))
      return { keys }
    },
  }
}

async function parseSigningKey(text: string, ref: SecretRef): Promise<SigningKey> {
  let key: KeyObject
  try {
    key = text.startsWith('{') ? createPrivateKey({ key: JSON.parse(text) as Record<string, string>, format: 'jwk' }) : createPrivateKey(text)
  } catch {
    // Neither the key nor a parser message quoting it may reach a log.
    throw badKey(ref, 'it is not a private key (PEM or JWK)')
  }
  let alg: SigningKey['alg']
  if (key.asymmetricKeyType === 'rsa') alg = 'RS256'
  else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256'
  else throw badKey(ref, 'Airflow tokens are signed with an EC P-256 (ES256) or RSA (RS256) key')
  const jwk = await exportJWK(createPublicKey(key))
  const kid = await calculateJwkThumbprint(jwk, 'sha256')
  return { key, alg, publicJwk: { ...jwk, kty: jwk.kty!, kid, alg, use: 'sig' } }
}

function parsePublicJwks(text: string, ref: SecretRef): PublicJwk[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw badKey(ref, 'it is not JSON (a JWK or {"keys": [...]})')
  }
  const keys = (value as { keys?: unknown }).keys ?? [value]
  if (!Array.isArray(keys)) throw badKey(ref, '"keys" is not a list')
  return keys.map((item: unknown) => {
    const jwk = item as Partial<PublicJwk> | null
    if (!jwk || typeof jwk.kty !== 'string' || typeof jwk.kid !== 'string') throw badKey(ref, 'every key needs "kty" and "kid" (Airflow\'s [api_auth] jwt_kid)')
    if (jwk.kty === 'oct') throw badKey(ref, 'a shared secret (kty "oct") cannot be published')
    // Only the public members are published, whatever else the secret holds.
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...publicPart } = jwk
    return publicPart as PublicJwk
  })
}

function badKey(ref: SecretRef, why: string): ConductorError {
  return new ConductorError('config_invalid', `the Airflow token key in secret "${ref.secret}" (provider "${ref.provider}") is unusable: ${why}`, {
    details: { provider: ref.provider, secret: ref.secret },
  })
}
