/**
 * Reads a claim by path, dots for nesting: `groups`, `realm_access.roles`.
 * A claim whose own name contains dots (e.g. a URL-shaped custom claim) is found too,
 * since the whole path is tried as one name first.
 */
export function readClaim(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path]
  let current: unknown = claims
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, part)) return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/** The claim at `path` as a non-empty string, or `null`. */
export function readStringClaim(claims: Record<string, unknown>, path: string): string | null {
  const value = readClaim(claims, path)
  return typeof value === 'string' && value.length > 0 ? value : null
}
