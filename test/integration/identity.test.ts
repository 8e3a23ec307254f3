import assert from 'node:assert/strict'
import { createHash, createPublicKey, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import type { CryptoKey, JWK, JWTPayload } from 'jose'
import { configSchema } from '../../src/config/index.ts'
import type { IdentityConfig } from '../../src/config/index.ts'
import { fixedClock, isConductorError } from '../../src/core/index.ts'
import type { ErrorCode } from '../../src/core/index.ts'
import { createTokenVerifier, requestDevToken, resolvePrincipal, startDevIssuer } from '../../src/identity/index.ts'
import type { DevIssuer, TokenVerifier } from '../../src/identity/index.ts'

interface SigningKey { kid: string; alg: 'RS256' | 'ES256'; privateKey: CryptoKey; publicJwk: JWK }

async function newKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg)
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

/** A minimal OIDC issuer on loopback: discovery + a JWKS whose keys the test changes. */
async function startKeyServer(): Promise<{ issuer: string; published: SigningKey[]; jwksFetches: () => number; close(): Promise<void> }> {
  let fetches = 0
  const published: SigningKey[] = []
  let issuer = ''
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }))
    } else if (req.url === '/jwks') {
      fetches++
      res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }))
    } else {
      res.statusCode = 404
      res.end('{}')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer,
    published,
    jwksFetches: () => fetches,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }),
  }
}

function sign(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }).sign(key.privateKey)
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const nowSeconds = () => Math.floor(Date.now() / 1000)

async function rejects(verifier: TokenVerifier, token: string, code: ErrorCode): Promise<void> {
  await assert.rejects(verifier.verify(token), (error: unknown) => {
    assert.ok(isConductorError(error), `expected a ConductorError, got ${String(error)}`)
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`)
    if (token.length > 8) assert.ok(!error.message.includes(token), 'the message must not contain the token')
    return true
  })
}

describe('identity: token verification against the development issuer and a loopback issuer', () => {
  let dev: DevIssuer
  let keys: Awaited<ReturnType<typeof startKeyServer>>
  let identity: IdentityConfig
  let verifier: TokenVerifier
  let rsKey: SigningKey
  let esKey: SigningKey
  let stranger: SigningKey

  before(async () => {
    dev = await startDevIssuer({
      config: {
        enabled: true, host: '127.0.0.1', port: 0,
        users: [
          { username: 'alice', name: 'Alice Liddell', email: 'alice@example.com', groups: ['okta-data-eng', 'pci-operators'] },
          { username: 'bob', groups: [] },
        ],
      },
      audience: 'conductor',
    })
    keys = await startKeyServer()
    rsKey = await newKey('RS256', 'rs-1')
    esKey = await newKey('ES256', 'es-1')
    stranger = await newKey('RS256', 'rs-1')
    keys.published.push(rsKey, esKey)
    identity = configSchema.parse({
      identity: {
        audience: 'conductor',
        jwksCooldownSeconds: 0,
        issuers: [
          { name: 'dev', issuer: dev.issuer },
          { name: 'corp', issuer: keys.issuer, jwksUri: `${keys.issuer}/jwks` },
        ],
        groupMappings: [{ from: 'okta-(.+)', pattern: true, to: '$1', issuer: 'dev' }],
      },
    }).identity
    verifier = createTokenVerifier({ identity })
  })

  after(async () => {
    verifier.close()
    await dev.close()
    await keys.close()
  })

  it('accepts a token minted by the development issuer and resolves alice with her groups', async () => {
    const token = await requestDevToken({ issuer: dev.issuer, username: 'alice', audience: 'conductor' })
    const verified = await verifier.verify(token)
    assert.equal(verified.issuerName, 'dev')
    assert.equal(verified.issuer, dev.issuer)
    assert.equal(verified.subject, 'alice')
    assert.ok(verified.expiresAt !== null && verified.expiresAt > Date.now())
    assert.ok(verified.tokenId)
    const principal = resolvePrincipal(verified, identity)
    assert.deepEqual(principal, {
      type: 'User', id: 'alice', subject: 'alice', issuer: 'dev', username: 'alice', displayName: 'Alice Liddell',
      email: 'alice@example.com', groups: ['data-eng', 'pci-operators'], idpGroups: ['okta-data-eng', 'pci-operators'],
    })
  })

  it('refuses to mint a token for an unknown demo user, with the OAuth error', async () => {
    await assert.rejects(requestDevToken({ issuer: dev.issuer, username: 'mallory', audience: 'conductor' }), (error: unknown) => {
      assert.ok(isConductorError(error, 'invalid_input'))
      assert.match(error.message, /invalid_grant: unknown or disabled demo user "mallory"/)
      return true
    })
    await assert.rejects(requestDevToken({ issuer: dev.issuer, username: 'alice', audience: 'someone-else' }), /invalid_target/)
  })

  it('accepts RS256 and ES256 tokens from an issuer configured by jwksUri', async () => {
    for (const key of [rsKey, esKey]) {
      const token = await sign(key, { iss: keys.issuer, aud: 'conductor', sub: 'svc-1', exp: nowSeconds() + 60, sid: 's-1' })
      const verified = await verifier.verify(token)
      assert.equal(verified.issuerName, 'corp')
      assert.equal(verified.sessionId, 's-1')
    }
  })

  it('says token_missing and token_malformed for what is not a JWT', async () => {
    await rejects(verifier, '', 'token_missing')
    await rejects(verifier, 'not-a-jwt', 'token_malformed')
    await rejects(verifier, 'a.b.c', 'token_malformed')
    await rejects(verifier, `${b64({ alg: 'RS256' })}.${Buffer.from('[1,2]').toString('base64url')}.c2ln`, 'token_malformed')
  })

  it('says token_too_large before parsing an oversized token', async () => {
    const token = await sign(rsKey, { iss: keys.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60, pad: 'x'.repeat(identity.maxTokenBytes) })
    await rejects(verifier, token, 'token_too_large')
    await rejects(verifier, 'x'.repeat(identity.maxTokenBytes + 1), 'token_too_large')
  })

  it('says token_expired by the injected clock, with the configured skew', async () => {
    const token = await dev.tokenFor('bob')
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number
    const clock = fixedClock((exp + identity.clockSkewSeconds - 1) * 1000)
    const pinned = createTokenVerifier({ identity, clock })
    assert.equal((await pinned.verify(token)).subject, 'bob', 'inside the skew it is still valid')
    clock.set((exp + identity.clockSkewSeconds + 1) * 1000)
    await rejects(pinned, token, 'token_expired')
    const old = await sign(rsKey, { iss: keys.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() - 120 })
    await rejects(verifier, old, 'token_expired')
  })

  it('says token_not_yet_valid for a future nbf and token_invalid_claims for a future iat or missing exp', async () => {
    await rejects(verifier, await sign(rsKey, { iss: keys.issuer, aud: 'conductor', sub: 'x', nbf: nowSeconds() + 600, exp: nowSeconds() + 900 }), 'token_not_yet_valid')
    await rejects(verifier, await sign(rsKey, { iss: keys.issuer, aud: 'conductor', sub: 'x', iat: nowSeconds() + 600, exp: nowSeconds() + 900 }), 'token_invalid_claims')
    await rejects(verifier, await sign(rsKey, { iss: keys.issuer, aud: 'conductor', sub: 'x' }), 'token_invalid_claims')
    await rejects(verifier, await sign(rsKey, { iss: keys.issuer, aud: 'conductor', exp: nowSeconds() + 60 }), 'token_invalid_claims')
  })

  it('says token_invalid_audience for a token meant for someone else', async () => {
    await rejects(verifier, await sign(rsKey, { iss: keys.issuer, aud: 'billing-api', sub: 'x', exp: nowSeconds() + 60 }), 'token_invalid_audience')
    await rejects(verifier, await sign(rsKey, { iss: keys.issuer, sub: 'x', exp: nowSeconds() + 60 }), 'token_invalid_audience')
  })

  it('says token_invalid_issuer for a token from an issuer the config does not trust', async () => {
    await rejects(verifier, await sign(stranger, { iss: 'http://127.0.0.1:9/untrusted', aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 }), 'token_invalid_issuer')
    await rejects(verifier, await sign(stranger, { aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 }), 'token_invalid_issuer')
  })

  it('says token_invalid_signature for a token signed by a key the issuer does not publish', async () => {
    // Same kid as a published key, different key material.
    await rejects(verifier, await sign(stranger, { iss: keys.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 }), 'token_invalid_signature')
    // A kid nobody publishes.
    await rejects(verifier, await sign({ ...stranger, kid: 'nobody' }, { iss: keys.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 }), 'token_invalid_signature')
    // A tampered payload on a real dev token.
    const [header, , signature] = (await dev.tokenFor('bob')).split('.')
    const forged = `${header}.${b64({ iss: dev.issuer, aud: 'conductor', sub: 'alice', exp: nowSeconds() + 60, groups: ['admins'] })}.${signature}`
    await rejects(verifier, forged, 'token_invalid_signature')
  })

  it('refuses alg none and HS256 signed with the issuer\'s public key', async () => {
    const claims = { iss: dev.issuer, aud: 'conductor', sub: 'alice', preferred_username: 'alice', exp: nowSeconds() + 60 }
    await rejects(verifier, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, 'token_algorithm_not_allowed')
    const jwks = await (await fetch(`${dev.issuer}/jwks`)).json() as { keys: JWK[] }
    const rsa = jwks.keys.find((key) => key.kty === 'RSA')!
    for (const secret of [
      createPublicKey({ key: rsa as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }),
      Buffer.from(JSON.stringify(rsa)),
    ]) {
      const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: rsa.kid! }).sign(new Uint8Array(Buffer.from(secret)))
      await rejects(verifier, token, 'token_algorithm_not_allowed')
    }
    // ES256 is allowed by default, but not when the issuer only lists RS256.
    const rsOnly = configSchema.parse({ identity: { issuers: [{ name: 'corp', issuer: keys.issuer, jwksUri: `${keys.issuer}/jwks`, algorithms: ['RS256'] }] } }).identity
    await rejects(createTokenVerifier({ identity: rsOnly }), await sign(esKey, { iss: keys.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 }), 'token_algorithm_not_allowed')
  })

  it('says token_unsupported_critical_header for a signed token whose crit names an extension Conductor does not understand', async () => {
    const claims = { iss: keys.issuer, aud: 'conductor', sub: 'svc-1', exp: nowSeconds() + 60 }
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: rsKey.kid, crit: ['x-must-understand'], 'x-must-understand': true }).sign(rsKey.privateKey, { crit: { 'x-must-understand': true } })
    await rejects(verifier, token, 'token_unsupported_critical_header')
    await rejects(verifier, `${b64({ alg: 'RS256', kid: rsKey.kid, crit: [] })}.${token.split('.')[1]}.${token.split('.')[2]}`, 'token_malformed')
  })

  it('accepts a token signed with a rotated-in key once the issuer publishes it', async () => {
    const rotated = await newKey('ES256', 'es-2')
    const token = await sign(rotated, { iss: keys.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 })
    await rejects(verifier, token, 'token_invalid_signature')
    keys.published.push(rotated)
    const before = keys.jwksFetches()
    assert.equal((await verifier.verify(token)).subject, 'x')
    assert.equal(keys.jwksFetches(), before + 1, 'the unknown kid triggered one refetch')
    await verifier.verify(token)
    assert.equal(keys.jwksFetches(), before + 1, 'then the key set is served from the cache')
  })

  it('refetches for unknown kids at most once per cooldown', async () => {
    const guarded = createTokenVerifier({ identity: { ...identity, jwksCooldownSeconds: 30 } })
    await guarded.verify(await sign(rsKey, { iss: keys.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 }))
    const before = keys.jwksFetches()
    for (let i = 0; i < 5; i++) {
      await rejects(guarded, await sign({ ...stranger, kid: `random-${i}` }, { iss: keys.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 }), 'token_invalid_signature')
    }
    assert.equal(keys.jwksFetches(), before, 'no refetch within the cooldown')
  })

  it('says issuer_unavailable when discovery fails or names another issuer, and recovers once the issuer is back', async () => {
    let discoveryUp = false
    let claimedIssuer = ''
    const flaky = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      if (!discoveryUp) { res.statusCode = 503; res.end('{}'); return }
      res.end(JSON.stringify({ issuer: claimedIssuer, jwks_uri: `${keys.issuer}/jwks` }))
    })
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve))
    const flakyIssuer = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`
    const dead = await startKeyServer()
    await dead.close()
    try {
      const config = configSchema.parse({ identity: { issuers: [{ name: 'dead', issuer: dead.issuer }, { name: 'flaky', issuer: flakyIssuer }] } }).identity
      const verifierOf = createTokenVerifier({ identity: config, timeoutMs: 1000 })
      await rejects(verifierOf, await sign(rsKey, { iss: dead.issuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 }), 'issuer_unavailable')
      const token = await sign(rsKey, { iss: flakyIssuer, aud: 'conductor', sub: 'x', exp: nowSeconds() + 60 })
      await rejects(verifierOf, token, 'issuer_unavailable')
      discoveryUp = true
      claimedIssuer = 'https://evil.example'
      await rejects(verifierOf, token, 'issuer_unavailable')
      claimedIssuer = flakyIssuer
      assert.equal((await verifierOf.verify(token)).issuerName, 'flaky')
    } finally {
      await new Promise<void>((resolve) => { flaky.close(() => resolve()); flaky.closeAllConnections() })
    }
  })

  it('signs a demo user in with the authorization code flow and PKCE (password = username) and issues a verifiable access token', async () => {
    const jar = new Map<string, string>()
    const go = async (url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers)
      headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
      const response = await fetch(new URL(url, dev.issuer), { ...init, headers, redirect: 'manual' })
      for (const cookie of response.headers.getSetCookie()) {
        const pair = cookie.split(';')[0]!
        jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1))
      }
      return response
    }
    const form = (body: Record<string, string>): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) })
    const redirectUri = 'http://127.0.0.1:7700/auth/callback'
    const verifierCode = randomBytes(32).toString('base64url')
    const auth = new URL(`${dev.issuer}/auth`)
    for (const [k, v] of Object.entries({
      client_id: 'conductor-web', response_type: 'code', scope: 'openid profile', redirect_uri: redirectUri, state: 'st',
      code_challenge: createHash('sha256').update(verifierCode).digest('base64url'), code_challenge_method: 'S256',
    })) auth.searchParams.set(k, v)

    const interaction = (await go(auth.href)).headers.get('location')!
    const page = await go(interaction)
    assert.match(await page.text(), /type="password"/)
    assert.equal((await go(interaction, form({ prompt: 'login', login: 'alice', password: 'wrong' }))).status, 401)
    assert.equal((await go(interaction, form({ prompt: 'login', login: 'mallory', password: 'mallory' }))).status, 401)
    let response = await go(interaction, form({ prompt: 'login', login: 'alice', password: 'alice' }))
    let location = response.headers.get('location')!
    while (!location.startsWith(redirectUri)) {
      response = await go(location)
      location = response.headers.get('location')!
    }
    const code = new URL(location).searchParams.get('code')!
    const tokens = await (await go('/token', form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'conductor-web', code_verifier: verifierCode }))).json() as { access_token: string }
    const principal = resolvePrincipal(await verifier.verify(tokens.access_token), identity)
    assert.equal(principal.id, 'alice')
    assert.deepEqual(principal.groups, ['data-eng', 'pci-operators'])
  })
})
