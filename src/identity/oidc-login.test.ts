import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import Provider, { type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider'
import { isConductorError } from '../core/index.ts'
import { createOidcLogin, type OidcLogin } from './oidc-login.ts'

// The console's sign-in with a confidential client, against a real oidc-provider whose client secret can be rotated
// (the client is looked up through an adapter, as an IdP with registered clients does): the secret Conductor sends is
// read before each token call, so a rotation needs no restart.

const CLIENT_ID = 'conductor-web'
const REDIRECT = 'http://127.0.0.1:7700/auth/callback'
let idpSecret = 'web-client-secret-one-0123456789'
let server: Server
let issuer: string

/** A memory adapter; the client's record carries the IdP's secret of the moment. */
function adapterFor(name: string): Adapter {
  const store = new Map<string, AdapterPayload>()
  return {
    async upsert(id, payload) { store.set(id, payload) },
    async find(id) {
      if (name === 'Client') {
        if (id !== CLIENT_ID) return undefined
        return {
          client_id: CLIENT_ID, client_secret: idpSecret, token_endpoint_auth_method: 'client_secret_post', redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
        }
      }
      return store.get(id)
    },
    async findByUserCode() { return undefined },
    async findByUid(uid) { return [...store.values()].find((p) => p.uid === uid) },
    async consume(id) { const p = store.get(id); if (p) p.consumed = Math.floor(Date.now() / 1000) },
    async destroy(id) { store.delete(id) },
    async revokeByGrantId(grantId) { for (const [k, p] of store) if (p.grantId === grantId) store.delete(k) },
  }
}

before(async () => {
  server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const adapters = new Map<string, Adapter>()
  const provider = new Provider(issuer, {
    adapter: class { constructor(name: string) { if (!adapters.has(name)) adapters.set(name, adapterFor(name)); return adapters.get(name)! } } as unknown as new (name: string) => Adapter,
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    scopes: ['openid', 'offline_access'],
    features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { provider: p, client, session } = ctx.oidc
      if (client === undefined || session?.accountId === undefined) return undefined
      const grant = new p.Grant({ clientId: client.clientId, accountId: session.accountId })
      grant.addOIDCScope('openid offline_access')
      await grant.save()
      return grant
    },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, RefreshToken: 600, Session: 600 },
  })
  server.on('request', provider.callback())
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** Signs alice in through the IdP's own login form, as a browser would; answers the callback URL. */
async function signIn(login: OidcLogin): Promise<{ callback: URL; checks: { state: string; codeVerifier: string; nonce: string } }> {
  const { url, ...checks } = await login.begin()
  const jar = new Map<string, string>()
  const go = async (target: string, body?: Record<string, string>) => {
    const response = await fetch(new URL(target, issuer), {
      redirect: 'manual', method: body ? 'POST' : 'GET',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body: new URLSearchParams(body) } : {}),
    })
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0]!
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1))
    }
    await response.arrayBuffer()
    return response.headers.get('location')!
  }
  const interaction = await go(url)
  let location = await go(interaction, { prompt: 'login', login: 'alice', password: 'alice' })
  while (!location.startsWith(REDIRECT)) location = await go(location)
  return { callback: new URL(location), checks }
}

test('a confidential client signs in and refreshes with the secret its provider holds now: rotated, no restart', async () => {
  let held = idpSecret // what the secrets manager holds
  let cached = held // what the secrets cache answers until it is invalidated
  let reads = 0
  let rejected = 0
  const login = createOidcLogin({
    issuer, clientId: CLIENT_ID, redirectUri: REDIRECT, scopes: ['openid', 'offline_access'],
    clientSecret: async () => { reads++; return cached },
    onClientSecretRejected: () => { rejected++; cached = held },
  })
  const { callback, checks } = await signIn(login)
  const tokens = await login.complete(callback, checks)
  assert.ok(tokens.refreshToken, 'signed in, with a refresh token')
  assert.equal(reads, 1, 'the secret was read for the token call')

  // Rotated in the secrets manager and at the IdP; the cache's TTL has run out: the next call sends the new one.
  held = 'web-client-secret-two-9876543210'
  idpSecret = held
  cached = held
  const renewed = await login.refresh(tokens.refreshToken!)
  assert.ok(renewed.accessToken)
  assert.equal(rejected, 0)

  // Rotated again, but the cache still answers the old secret: the IdP refuses the client once, the secret is read
  // afresh, and the refresh goes through.
  held = 'web-client-secret-three-5555555555'
  idpSecret = held
  const again = await login.refresh(renewed.refreshToken!)
  assert.ok(again.accessToken)
  assert.equal(rejected, 1, 'invalid_client made it read the secret afresh, once')

  // A secret the IdP does not accept at all: the refresh fails as refused, after one fresh read, never looping.
  idpSecret = 'rotated-at-the-idp-only-000000000'
  await assert.rejects(login.refresh(again.refreshToken!), (e: unknown) => isConductorError(e, 'session_revoked') && !e.message.includes(held))
  assert.equal(rejected, 2)
})

test('a public client (no secret) sends none', async () => {
  const login = createOidcLogin({ issuer, clientId: CLIENT_ID, redirectUri: REDIRECT, scopes: ['openid'] })
  const { callback, checks } = await signIn(login)
  await assert.rejects(login.complete(callback, checks), (e: unknown) => isConductorError(e, 'login_failed') && /invalid_client|client authentication/i.test(e.message))
})

test('an identity provider that cannot be reached is issuer_unavailable at the callback, not a failed sign-in', async () => {
  const login = createOidcLogin({ issuer: 'http://127.0.0.1:9/unreachable', clientId: CLIENT_ID, redirectUri: REDIRECT, scopes: ['openid'], clientSecret: async () => 'unused' })
  await assert.rejects(login.complete(new URL(`${REDIRECT}?code=x&state=s`), { state: 's', codeVerifier: 'v', nonce: 'n' }), (e: unknown) => isConductorError(e, 'issuer_unavailable'))
  await assert.rejects(login.refresh('a-refresh-token'), (e: unknown) => isConductorError(e, 'issuer_unavailable'))
})
