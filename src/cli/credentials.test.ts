import assert from 'node:assert/strict'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { configDir, createCredentialStore, normalizeServerUrl, resolveToken, type StoredLogin } from './credentials.ts'

const base = mkdtempSync(join(tmpdir(), 'conductor-credentials-'))
after(() => rmSync(base, { recursive: true, force: true }))
let n = 0
const freshDir = () => join(base, `c${++n}`, 'conductor')

const login = (overrides: Partial<StoredLogin> = {}): StoredLogin => ({
  server: 'http://127.0.0.1:7700', issuer: 'http://127.0.0.1:7701', clientId: 'conductor-cli', resource: null, scopes: ['openid', 'offline_access'],
  accessToken: 'access-1', refreshToken: 'refresh-1', idToken: null, expiresAt: '2026-11-24T15:00:00.000Z', username: 'alice', savedAt: '2026-11-24T14:00:00.000Z',
  ...overrides,
})
const now = () => new Date('2026-11-24T14:30:00Z')

test('the config folder: $CONDUCTOR_CONFIG_DIR, else $XDG_CONFIG_HOME/conductor, else ~/.config/conductor', () => {
  assert.equal(configDir({ CONDUCTOR_CONFIG_DIR: '/x/y', XDG_CONFIG_HOME: '/xdg', HOME: '/home/a' }), '/x/y')
  assert.equal(configDir({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/a' }), '/xdg/conductor')
  assert.equal(configDir({ HOME: '/home/a' }), '/home/a/.config/conductor')
})

test('server URLs are keyed without a trailing slash; non-http URLs are refused', () => {
  assert.equal(normalizeServerUrl('http://127.0.0.1:7700/'), 'http://127.0.0.1:7700')
  assert.equal(normalizeServerUrl('https://conductor.example.com/base/?x=1'), 'https://conductor.example.com/base')
  assert.throws(() => normalizeServerUrl('ftp://x'), (e) => isConductorError(e, 'invalid_input'))
})

test('tokens are stored in a 0600 file inside a 0700 folder, and read back per server', () => {
  const dir = freshDir()
  const store = createCredentialStore({ dir })
  assert.equal(store.get('http://127.0.0.1:7700'), undefined)
  assert.equal(store.currentServer(), undefined)
  store.save(login({ server: 'http://127.0.0.1:7700/' }))
  assert.equal(statSync(dir).mode & 0o777, 0o700)
  assert.equal(statSync(store.file).mode & 0o777, 0o600)
  assert.equal(store.get('http://127.0.0.1:7700')!.accessToken, 'access-1')
  assert.equal(store.currentServer(), 'http://127.0.0.1:7700')

  store.save(login({ server: 'https://other.example.com', accessToken: 'other' }))
  assert.equal(store.currentServer(), 'https://other.example.com')
  assert.equal(store.get('http://127.0.0.1:7700')!.accessToken, 'access-1')
  assert.equal(statSync(store.file).mode & 0o777, 0o600)

  assert.equal(store.remove('https://other.example.com'), true)
  assert.equal(store.currentServer(), 'http://127.0.0.1:7700')
  assert.equal(store.remove('http://127.0.0.1:7700'), true)
  assert.equal(existsSync(store.file), false)
  assert.equal(store.remove('http://127.0.0.1:7700'), false)
})

test('a credentials file others can read is tightened to 0600 before tokens are read from it', () => {
  const dir = freshDir()
  const store = createCredentialStore({ dir })
  store.save(login())
  chmodSync(store.file, 0o644)
  assert.equal(store.get('http://127.0.0.1:7700')!.accessToken, 'access-1')
  assert.equal(statSync(store.file).mode & 0o777, 0o600)
})

test('a damaged credentials file gives one clear error naming it', () => {
  const dir = freshDir()
  const store = createCredentialStore({ dir })
  store.save(login())
  writeFileSync(store.file, '{not json')
  assert.throws(() => store.get('http://127.0.0.1:7700'), (e) => isConductorError(e, 'invalid_input') && e.message.includes(store.file))
})

test('precedence: --token, then $CONDUCTOR_TOKEN, then the stored login, else none', async () => {
  const store = createCredentialStore({ dir: freshDir() })
  const refresh = async () => { throw new Error('not expected') }
  const server = 'http://127.0.0.1:7700'
  assert.deepEqual(await resolveToken({ store, server, refresh, now }), { token: undefined, source: 'none' })
  store.save(login())
  assert.equal((await resolveToken({ store, server, refresh, now })).token, 'access-1')
  assert.deepEqual(await resolveToken({ envToken: 'from-env', store, server, refresh, now }), { token: 'from-env', source: 'env' })
  assert.deepEqual(await resolveToken({ flag: 'from-flag', envToken: 'from-env', store, server, refresh, now }), { token: 'from-flag', source: 'flag' })
  assert.equal((await resolveToken({ store, server: 'http://elsewhere:1', refresh, now })).source, 'none')
})

test('an access token about to expire is refreshed once and the renewed tokens are stored (0600)', async () => {
  const store = createCredentialStore({ dir: freshDir() })
  store.save(login({ expiresAt: '2026-11-24T14:30:30.000Z' }))
  const calls: StoredLogin[] = []
  const refresh = async (old: StoredLogin) => {
    calls.push(old)
    return { ...old, accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: '2026-11-24T15:30:00.000Z' }
  }
  const first = await resolveToken({ store, server: 'http://127.0.0.1:7700', refresh, now })
  assert.equal(first.token, 'access-2')
  assert.equal(calls.length, 1)
  assert.equal(calls[0]!.refreshToken, 'refresh-1')
  const saved = JSON.parse(readFileSync(store.file, 'utf8')).logins['http://127.0.0.1:7700']
  assert.equal(saved.accessToken, 'access-2')
  assert.equal(saved.refreshToken, 'refresh-2')
  assert.equal(statSync(store.file).mode & 0o777, 0o600)
  const second = await resolveToken({ store, server: 'http://127.0.0.1:7700', refresh, now })
  assert.equal(second.token, 'access-2')
  assert.equal(calls.length, 1, 'a fresh token is not refreshed again')
})

test('an expired login without a refresh token, or whose refresh is refused, says to log in again', async () => {
  const store = createCredentialStore({ dir: freshDir() })
  store.save(login({ expiresAt: '2026-11-24T14:00:00.000Z', refreshToken: null }))
  await assert.rejects(resolveToken({ store, server: 'http://127.0.0.1:7700', refresh: async (l) => l, now }),
    (e) => isConductorError(e, 'session_expired') && /conductor login/.test(e.message))

  store.save(login({ expiresAt: '2026-11-24T14:00:00.000Z' }))
  const { ConductorError } = await import('../core/index.ts')
  await assert.rejects(resolveToken({ store, server: 'http://127.0.0.1:7700', refresh: async () => { throw new ConductorError('session_expired', 'refused; run `conductor login`') }, now }),
    (e) => isConductorError(e, 'session_expired'))
})

test('when another process already renewed the login, its tokens are used instead of failing', async () => {
  const store = createCredentialStore({ dir: freshDir() })
  store.save(login({ expiresAt: '2026-11-24T14:00:00.000Z' }))
  const refresh = async (old: StoredLogin): Promise<StoredLogin> => {
    // Meanwhile another conductor process rotated the refresh token; ours is now refused.
    store.update({ ...old, accessToken: 'access-other', refreshToken: 'refresh-other', expiresAt: '2026-11-24T15:30:00.000Z' })
    throw new Error('invalid_grant')
  }
  const result = await resolveToken({ store, server: 'http://127.0.0.1:7700', refresh, now })
  assert.equal(result.token, 'access-other')
})
