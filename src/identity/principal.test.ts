import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { configSchema } from '../config/index.ts'
import type { IdentityConfig } from '../config/index.ts'
import { isConductorError } from '../core/index.ts'
import { mapGroups, resolvePrincipal } from './principal.ts'
import type { VerifiedToken } from './token-verifier.ts'

function identity(raw: Record<string, unknown>): IdentityConfig {
  return configSchema.parse({ identity: raw }).identity
}

function token(issuerName: string, claims: Record<string, unknown>): VerifiedToken {
  return {
    issuerName,
    issuer: `https://${issuerName}.example.com`,
    subject: String(claims.sub),
    claims,
    expiresAt: null,
    sessionId: null,
    tokenId: null,
  }
}

describe('resolvePrincipal', () => {
  it('reads an Okta token: groups claim, preferred_username, name and email', () => {
    const config = identity({ issuers: [{ name: 'okta', issuer: 'https://okta.example.com' }] })
    const principal = resolvePrincipal(token('okta', {
      sub: '00u1abcd', preferred_username: 'alice@example.com', name: 'Alice Liddell', email: 'alice@example.com',
      groups: ['Everyone', 'data-eng', 'data-eng'],
    }), config)
    assert.deepEqual(principal, {
      type: 'User', id: 'alice@example.com', subject: '00u1abcd', issuer: 'okta', username: 'alice@example.com',
      displayName: 'Alice Liddell', email: 'alice@example.com', groups: ['Everyone', 'data-eng'], idpGroups: ['Everyone', 'data-eng'],
    })
  })

  it('reads Entra ID groups (object ids) and maps them to Conductor groups', () => {
    const config = identity({
      issuers: [{ name: 'entra', issuer: 'https://login.microsoftonline.com/t/v2.0', usernameClaim: 'upn' }],
      groupMappings: [{ from: '5f1c7d1e-8a8a-4c4e-9d53-0d2b6f0c1a11', to: 'platform-admins' }],
    })
    const principal = resolvePrincipal(token('entra', {
      sub: 'AAAAbbbb', oid: 'o-1', upn: 'bob@contoso.com', groups: ['5f1c7d1e-8a8a-4c4e-9d53-0d2b6f0c1a11', '0000-unmapped'],
    }), config)
    assert.equal(principal.id, 'bob@contoso.com')
    assert.deepEqual(principal.groups, ['0000-unmapped', 'platform-admins'])
    assert.deepEqual(principal.idpGroups, ['5f1c7d1e-8a8a-4c4e-9d53-0d2b6f0c1a11', '0000-unmapped'])
    assert.equal(principal.email, null)
  })

  it('reads Entra ID app roles from the roles claim and makes app-only tokens ServiceAccounts', () => {
    const config = identity({
      issuers: [{
        name: 'entra', issuer: 'https://login.microsoftonline.com/t/v2.0', groupsClaim: 'roles',
        serviceAccountWhen: { claim: 'idtyp', equals: 'app' },
      }],
    })
    const app = resolvePrincipal(token('entra', { sub: 'svc-object-id', idtyp: 'app', roles: ['Conductor.Trigger'] }), config)
    assert.equal(app.type, 'ServiceAccount')
    assert.equal(app.id, 'svc-object-id', 'no username claim: the subject is the id')
    assert.deepEqual(app.groups, ['Conductor.Trigger'])
    const user = resolvePrincipal(token('entra', { sub: 'u', preferred_username: 'carol', roles: 'Conductor.Read' }), config)
    assert.equal(user.type, 'User')
    assert.deepEqual(user.groups, ['Conductor.Read'], 'a single string is one group')
  })

  it('reads Keycloak realm roles from realm_access.roles', () => {
    const config = identity({ issuers: [{ name: 'keycloak', issuer: 'https://kc.example.com/realms/acme', groupsClaim: 'realm_access.roles' }] })
    const principal = resolvePrincipal(token('keycloak', {
      sub: 'f:1', preferred_username: 'dave', realm_access: { roles: ['offline_access', 'airflow-operator'] }, groups: ['ignored'],
    }), config)
    assert.deepEqual(principal.groups, ['airflow-operator', 'offline_access'])
  })

  it('has no groups when the groups claim is missing or not strings', () => {
    const config = identity({ issuers: [{ name: 'kc', issuer: 'https://kc.example.com', groupsClaim: 'realm_access.roles' }] })
    assert.deepEqual(resolvePrincipal(token('kc', { sub: 'x' }), config).groups, [])
    assert.deepEqual(resolvePrincipal(token('kc', { sub: 'x', realm_access: { roles: [1, null, ''] } }), config).groups, [])
  })

  it('matches serviceAccountWhen patterns', () => {
    const config = identity({
      issuers: [{ name: 'okta', issuer: 'https://okta.example.com', serviceAccountWhen: { claim: 'sub', pattern: '^0oa' } }],
    })
    assert.equal(resolvePrincipal(token('okta', { sub: '0oa9clientid' }), config).type, 'ServiceAccount')
    assert.equal(resolvePrincipal(token('okta', { sub: '00u9user' }), config).type, 'User')
  })

  it('refuses a token from an issuer that is not configured', () => {
    const config = identity({ issuers: [{ name: 'okta', issuer: 'https://okta.example.com' }] })
    assert.throws(() => resolvePrincipal(token('other', { sub: 'x' }), config), (error) => isConductorError(error, 'principal_unknown'))
  })
})

describe('mapGroups', () => {
  const mappings = identity({
    groupMappings: [
      { from: 'okta-airflow-admins', to: 'admins' },
      { from: 'arn:aws:iam::\\d+:role/(\\w+)-operators', pattern: true, to: 'ops-$1' },
      { from: 'team-(.*)', pattern: true, to: '$1', issuer: 'okta' },
      { from: 'okta-airflow-admins', to: 'auditors' },
    ],
  }).groupMappings

  it('maps exact names, substitutes captures, and passes unmapped groups through', () => {
    assert.deepEqual(
      mapGroups(['okta-airflow-admins', 'arn:aws:iam::123456789012:role/payments-operators', 'Everyone'], mappings, 'okta'),
      ['Everyone', 'admins', 'auditors', 'ops-payments'],
    )
  })

  it('applies issuer-scoped rules only to that issuer', () => {
    assert.deepEqual(mapGroups(['team-risk'], mappings, 'okta'), ['risk'])
    assert.deepEqual(mapGroups(['team-risk'], mappings, 'entra'), ['team-risk'])
  })

  it('matches patterns against the whole group name', () => {
    assert.deepEqual(mapGroups(['xarn:aws:iam::1:role/a-operators-x'], mappings, 'entra'), ['xarn:aws:iam::1:role/a-operators-x'])
  })

  it('rejects an invalid pattern when the config is parsed', () => {
    assert.throws(() => identity({ groupMappings: [{ from: '(', pattern: true, to: 'x' }] }))
  })
})
