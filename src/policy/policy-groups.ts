import type { PolicyJson } from './cedar.ts'

/**
 * The names of the groups `policies` mention, sorted and each once: every `Group::"…"` entity in a scope
 * (`principal in Group::"x"`, `principal is User in Group::"x"`) or in a condition (`principal in Group::"x"`,
 * `principal in [Group::"x", Group::"y"]`). Names are read from Cedar's JSON form, so quotes and backslashes in a
 * name come back unescaped.
 */
export function groupsNamed(policies: readonly PolicyJson[]): string[] {
  const names = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item)
      return
    }
    if (node === null || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      // Scopes name an entity under `entity`; expressions under `__entity` (a literal entity value).
      if ((key === 'entity' || key === '__entity') && isGroup(value)) names.add(value.id)
      else visit(value)
    }
  }
  for (const policy of policies) visit(policy)
  return [...names].sort()
}

function isGroup(value: unknown): value is { type: 'Group'; id: string } {
  if (value === null || typeof value !== 'object') return false
  const entity = value as { type?: unknown; id?: unknown }
  return entity.type === 'Group' && typeof entity.id === 'string'
}
