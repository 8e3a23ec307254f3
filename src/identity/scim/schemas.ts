/** The URNs of SCIM 2.0 (RFC 7643, RFC 7644) that Conductor speaks. */
export const SCIM_URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const

/** One attribute of a SCIM schema, in the shape RFC 7643 §7 publishes at /Schemas. */
export interface AttributeDefinition {
  name: string
  type: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex'
  multiValued: boolean
  description: string
  required: boolean
  caseExact: boolean
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'
  returned: 'always' | 'never' | 'default' | 'request'
  uniqueness: 'none' | 'server' | 'global'
  canonicalValues?: string[]
  referenceTypes?: string[]
  subAttributes?: AttributeDefinition[]
}

/** A SCIM schema: its URN, name and attributes. */
export interface SchemaDefinition {
  id: string
  name: string
  description: string
  attributes: AttributeDefinition[]
}

type Options = Partial<Omit<AttributeDefinition, 'name' | 'description' | 'type' | 'subAttributes'>>

function attr(name: string, type: AttributeDefinition['type'], description: string, options: Options = {}, subAttributes?: AttributeDefinition[]): AttributeDefinition {
  return {
    name, type, multiValued: false, description, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none',
    ...options, ...(subAttributes ? { subAttributes } : {}),
  }
}

const str = (name: string, description: string, options?: Options) => attr(name, 'string', description, options)

/** The sub-attributes every multi-valued "value/display/type/primary" attribute has (RFC 7643 §2.4). */
function plural(name: string, description: string, types: string[], valueType: 'string' | 'reference' = 'string', extra: AttributeDefinition[] = []): AttributeDefinition {
  return attr(name, 'complex', description, { multiValued: true }, [
    attr('value', valueType, `The ${name} value.`, valueType === 'reference' ? { referenceTypes: ['external'] } : {}),
    str('display', 'A human-readable name, primarily used for display purposes.'),
    str('type', `A label indicating the ${name} function.`, types.length ? { canonicalValues: types } : {}),
    attr('primary', 'boolean', 'Whether this is the primary value; "true" appears at most once.'),
    ...extra,
  ])
}

/** The core User schema (RFC 7643 §4.1), as Conductor stores it. `groups` is computed from group memberships. */
export const USER_SCHEMA: SchemaDefinition = {
  id: SCIM_URN.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    str('userName', 'Unique identifier for the User, used to sign in; compared case-insensitively.', { required: true, uniqueness: 'server' }),
    attr('name', 'complex', 'The components of the user\'s real name.', {}, [
      str('formatted', 'The full name, formatted for display.'),
      str('familyName', 'The family name of the User.'),
      str('givenName', 'The given name of the User.'),
      str('middleName', 'The middle name(s) of the User.'),
      str('honorificPrefix', 'The honorific prefix(es) of the User.'),
      str('honorificSuffix', 'The honorific suffix(es) of the User.'),
    ]),
    str('displayName', 'The name of the User, suitable for display to end-users.'),
    str('nickName', 'The casual way to address the user.'),
    attr('profileUrl', 'reference', 'A URI of the user\'s online profile.', { referenceTypes: ['external'] }),
    str('title', 'The user\'s title, such as "Vice President".'),
    str('userType', 'The relationship between the organization and the user.'),
    str('preferredLanguage', 'The user\'s preferred written or spoken language.'),
    str('locale', 'The user\'s default location, e.g. en-US.'),
    str('timezone', 'The User\'s time zone in IANA format, e.g. America/Los_Angeles.'),
    attr('active', 'boolean', 'The user\'s administrative status: false denies every request and ends the user\'s sessions.'),
    str('password', 'Accepted and discarded: Conductor never stores passwords.', { mutability: 'writeOnly', returned: 'never' }),
    plural('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    plural('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    plural('ims', 'Instant messaging addresses for the User.', []),
    plural('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], 'reference'),
    attr('addresses', 'complex', 'A physical mailing address for this User.', { multiValued: true }, [
      str('formatted', 'The full mailing address.'),
      str('streetAddress', 'The full street address component.'),
      str('locality', 'The city or locality component.'),
      str('region', 'The state or region component.'),
      str('postalCode', 'The zip code or postal code component.'),
      str('country', 'The country name component.'),
      str('type', 'A label indicating the address function.', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'boolean', 'Whether this is the primary address.'),
    ]),
    attr('groups', 'complex', 'The groups the user belongs to (direct memberships), maintained through /Groups.', { multiValued: true, mutability: 'readOnly' }, [
      str('value', 'The id of the Group.', { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The URI of the Group.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
      str('display', 'The displayName of the Group.', { mutability: 'readOnly' }),
      str('type', 'Always "direct".', { mutability: 'readOnly', canonicalValues: ['direct'] }),
    ]),
    plural('entitlements', 'A list of entitlements for the User.', []),
    plural('roles', 'A list of roles for the User.', []),
  ],
}

/** The Enterprise User extension (RFC 7643 §4.3). */
export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = {
  id: SCIM_URN.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber', 'A string identifier, typically numeric or alphanumeric, assigned to a person.'),
    str('costCenter', 'Identifies the name of a cost center.'),
    str('organization', 'Identifies the name of an organization.'),
    str('division', 'Identifies the name of a division.'),
    str('department', 'Identifies the name of a department.'),
    attr('manager', 'complex', 'The User\'s manager.', {}, [
      str('value', 'The id of the SCIM resource representing the User\'s manager.'),
      attr('$ref', 'reference', 'The URI of the manager.', { referenceTypes: ['User'] }),
      str('displayName', 'The displayName of the User\'s manager.', { mutability: 'readOnly' }),
    ]),
  ],
}

/** The core Group schema (RFC 7643 §4.2). Members are Users (nested groups are not supported). */
export const GROUP_SCHEMA: SchemaDefinition = {
  id: SCIM_URN.group,
  name: 'Group',
  description: 'Group',
  attributes: [
    str('displayName', 'A human-readable name for the Group; unique, compared case-insensitively.', { required: true, uniqueness: 'server' }),
    attr('members', 'complex', 'The Users that are direct members of the Group.', { multiValued: true }, [
      str('value', 'The id of a User.', { mutability: 'immutable', caseExact: true }),
      attr('$ref', 'reference', 'The URI of the User.', { mutability: 'immutable', referenceTypes: ['User'] }),
      str('display', 'The displayName (else userName) of the User.', { mutability: 'readOnly' }),
      str('type', 'Always "User".', { mutability: 'immutable', canonicalValues: ['User'] }),
    ]),
  ],
}

/** Every schema Conductor publishes, by URN. */
export const SCHEMAS: readonly SchemaDefinition[] = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA]

/** The two resource types, as published at /ResourceTypes. */
export const RESOURCE_TYPES = [
  { id: 'User', name: 'User', endpoint: '/Users', description: 'User Account', schema: SCIM_URN.user, schemaExtensions: [{ schema: SCIM_URN.enterpriseUser, required: false }] },
  { id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group', schema: SCIM_URN.group, schemaExtensions: [] },
] as const

/** The largest `count` a list answers with, and the default. */
export const MAX_RESULTS = 1000
export const DEFAULT_COUNT = 100
/** The most operations one PATCH request may carry. */
export const MAX_PATCH_OPERATIONS = 1000

/** The ServiceProviderConfig (RFC 7643 §5), without meta. `maxPayloadSize` is the server's body limit. */
export function serviceProviderConfig(maxPayloadSize: number, documentationUri?: string): Record<string, unknown> {
  return {
    schemas: [SCIM_URN.serviceProviderConfig],
    ...(documentationUri ? { documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'OAuth Bearer Token', primary: true,
      description: 'A SCIM bearer token created with `conductor scim token create`, sent as Authorization: Bearer <token>.',
    }],
  }
}
