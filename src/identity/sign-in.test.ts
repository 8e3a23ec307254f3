import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig, type IdentityConfig } from '../config/index.ts'
import { isConductorError } from '../core/index.ts'
import { DEV_ISSUER_NAME, signInTarget, withDevIssuer } from './sign-in.ts'

const dev = { issuer: 'http://127.0.0.1:7701/dev', resource: 'urn:conductor:dev' }

function identity(raw: Record<string, unknown>): IdentityConfig {
  return parseConfig({ identity: raw }, { baseDir: '/etc/conductor' }).identity
}

const okta = { name: 'okta', issuer: 'https://example.okta.com' }
const entra = { name: 'entra', issuer: 'https://login.microsoftonline.com/t/v2.0' }

test('the development issuer joins the issuers as "dev", unless config already names one "dev"', () => {
  const added = withDevIssuer(identity({ issuers: [okta] }), dev)
  assert.deepEqual(added.issuers.map((i) => [i.name, i.issuer]), [['okta', okta.issuer], [DEV_ISSUER_NAME, dev.issuer]])
  const own = identity({ issuers: [{ name: 'dev', issuer: 'https://idp.example/dev' }] })
  assert.equal(withDevIssuer(own, dev), own)
  assert.equal(withDevIssuer(own, null), own)
})

test('people sign in at the issuer login.issuer names, else the development issuer, else the first issuer', () => {
  assert.deepEqual(signInTarget(identity({ issuers: [okta, entra], login: { issuer: 'entra' } }), dev), { issuer: entra.issuer, resource: null })
  assert.deepEqual(signInTarget(withDevIssuer(identity({ issuers: [okta] }), dev), dev), { issuer: dev.issuer, resource: dev.resource })
  assert.deepEqual(signInTarget(identity({ issuers: [okta, entra] }), null), { issuer: okta.issuer, resource: null })
  assert.deepEqual(signInTarget(identity({ issuers: [] }), null), { issuer: null, resource: null })
})

test('a configured resource indicator wins over the development issuer\'s', () => {
  const target = signInTarget(withDevIssuer(identity({ login: { resource: 'api://conductor' } }), dev), dev)
  assert.deepEqual(target, { issuer: dev.issuer, resource: 'api://conductor' })
})

test('login.issuer naming no issuer is a config error at its path', () => {
  assert.throws(() => signInTarget(identity({ issuers: [okta], login: { issuer: 'nope' } }), dev),
    (e: unknown) => isConductorError(e, 'config_invalid') && e.details?.path === 'identity.login.issuer')
})
