import type { PrincipalKind, PrincipalRef } from './types.ts'

/** The parts of an authenticated principal the policy engine reads (structurally the identity domain's `Principal`). */
export interface PrincipalLike {
  type: PrincipalKind
  id: string
  groups: string[]
  username?: string
  email?: string | null
  scope?: { actions: string[] | null; environments: string[] | null }
  agent?: { sponsor: string; tools: string[] }
}

/**
 * The {@link PrincipalRef} of an authenticated principal: its type, id and groups, its username (and email, or an
 * agent's sponsor) as attributes, and the credential's scope. Every policy question about a caller should be built
 * with it, so the scope is never dropped.
 */
export function principalRef(principal: PrincipalLike): PrincipalRef {
  const attributes: Record<string, unknown> = {}
  if (principal.username !== undefined) attributes.username = principal.username
  if (typeof principal.email === 'string') attributes.email = principal.email
  if (principal.agent !== undefined) attributes.sponsor = principal.agent.sponsor
  return {
    type: principal.type,
    id: principal.id,
    groups: principal.groups,
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(principal.scope !== undefined ? { scope: principal.scope } : {}),
  }
}
