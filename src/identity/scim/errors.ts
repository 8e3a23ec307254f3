import { ConductorError } from '../../core/index.ts'

/** The `scimType` values of RFC 7644 §3.12 that Conductor answers with (all answered with the status of `invalid_input`). */
export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive'

/** A refused SCIM request: `invalid_input` carrying the SCIM `scimType` in `details`, so the SCIM routes can answer with it. */
export function scimInvalid(scimType: ScimType, message: string, details: Record<string, unknown> = {}): ConductorError {
  return new ConductorError('invalid_input', message, { details: { scimType, ...details } })
}
