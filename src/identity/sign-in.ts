import type { IdentityConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import type { DevIssuer } from './dev-issuer.ts'

/** The name the built-in development issuer gets in `identity.issuers`. */
export const DEV_ISSUER_NAME = 'dev'

/**
 * The identity settings in force: `identity` plus the development issuer (as {@link DEV_ISSUER_NAME}, RS256/ES256,
 * `sub`, `preferred_username`, `groups`) when one runs and config names no issuer `dev` already.
 */
export function withDevIssuer(identity: IdentityConfig, devIssuer: Pick<DevIssuer, 'issuer'> | null): IdentityConfig {
  if (!devIssuer || identity.issuers.some((i) => i.name === DEV_ISSUER_NAME)) return identity
  return {
    ...identity,
    issuers: [...identity.issuers, { name: DEV_ISSUER_NAME, issuer: devIssuer.issuer, algorithms: ['RS256', 'ES256'], subjectClaim: 'sub', usernameClaim: 'preferred_username', groupsClaim: 'groups' }],
  }
}

/** Where people sign in: the issuer URL, and the resource indicator to ask tokens for (null when none). */
export interface SignInTarget {
  issuer: string | null
  resource: string | null
}

/**
 * Where people sign in: `identity.login.issuer` by name, else the development issuer, else the first issuer (null
 * when there is none). The resource is `identity.login.resource`, else the development issuer's when signing in there.
 * @throws ConductorError `config_invalid` when `identity.login.issuer` names no issuer.
 */
export function signInTarget(identity: IdentityConfig, devIssuer: Pick<DevIssuer, 'issuer' | 'resource'> | null): SignInTarget {
  const issuer = signInIssuer(identity, devIssuer)
  return { issuer, resource: identity.login.resource ?? (devIssuer && issuer === devIssuer.issuer ? devIssuer.resource : null) }
}

function signInIssuer(identity: IdentityConfig, devIssuer: Pick<DevIssuer, 'issuer'> | null): string | null {
  const named = identity.login.issuer
  if (named) {
    const issuer = identity.issuers.find((i) => i.name === named)
    if (!issuer) throw new ConductorError('config_invalid', `identity.login.issuer: no issuer named "${named}"`, { details: { path: 'identity.login.issuer' } })
    return issuer.issuer
  }
  return devIssuer?.issuer ?? identity.issuers[0]?.issuer ?? null
}
