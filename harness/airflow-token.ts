/** Tokens an Airflow 3 accepts for a person, made by a test that holds Airflow's own signing key. */
import { createPrivateKey, randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'

/** Options of {@link airflowUserToken}. */
export interface AirflowUserTokenOptions {
  /** Airflow's signing key (`[api_auth] jwt_private_key_path`), PKCS#8 PEM: RSA signs RS256, P-256 signs ES256. */
  privateKeyPem: string
  /** `[api_auth] jwt_kid`, the key id Airflow's JWKS lists the key under. */
  kid: string
  /** `[api_auth] jwt_audience`; default `apache-airflow`. */
  audience?: string
  /** `[api_auth] jwt_issuer`, only when that is set (Airflow then requires it). */
  issuer?: string
  /** The Conductor principal id. */
  sub: string
  name?: string
  groups?: string[]
  principalType?: 'User' | 'ServiceAccount'
  /** Default 600. */
  ttlSeconds?: number
}

/**
 * A JWT as Airflow signs one for a user of the Conductor auth manager: the claims of `ConductorUser.to_claims`
 * (`sub`, `name`, `groups`, `principal_type`) with `iat`, `nbf`, `exp`, `jti`, `aud` and, when given, `iss`.
 */
export async function airflowUserToken(options: AirflowUserTokenOptions): Promise<string> {
  const key = createPrivateKey(options.privateKeyPem)
  const alg = key.asymmetricKeyType === 'rsa' ? 'RS256'
    : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ES256'
      : null
  if (!alg) throw new Error(`airflowUserToken signs with an RSA or P-256 key, not ${key.asymmetricKeyType ?? 'this key'}`)
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT({ name: options.name ?? options.sub, groups: options.groups ?? [], principal_type: options.principalType ?? 'User' })
    .setProtectedHeader({ alg, kid: options.kid, typ: 'JWT' })
    .setSubject(options.sub)
    .setAudience(options.audience ?? 'apache-airflow')
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 600))
    .setJti(randomUUID().replaceAll('-', ''))
  if (options.issuer) jwt.setIssuer(options.issuer)
  return jwt.sign(key)
}
