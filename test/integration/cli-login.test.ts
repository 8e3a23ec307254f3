import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'

const root = new URL('../..', import.meta.url).pathname
const cliMain = join(root, 'src/cli/main.ts')

/** A running `conductor` child: its output so far, a way to wait for a line, and its exit. */
interface Running {
  stdout: () => string
  stderr: () => string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  exit: Promise<number>
}

const children = new Set<ReturnType<typeof spawn>>()

/** Starts `conductor ARGS` with `env` on top of this process's environment (minus any ambient token or server). */
function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const base = { ...process.env }
  delete base.CONDUCTOR_TOKEN
  delete base.CONDUCTOR_URL
  const child = spawn(process.execPath, [cliMain, ...args], { env: { ...base, NODE_NO_WARNINGS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.on('exit', () => children.delete(child))
  let stdout = '', stderr = ''
  const waiters = new Set<() => void>()
  const changed = () => { for (const w of waiters) w() }
  child.stdout.on('data', (d) => { stdout += d; changed() })
  child.stderr.on('data', (d) => { stderr += d; changed() })
  const exit = new Promise<number>((resolve) => child.on('exit', (code) => { changed(); resolve(code ?? 1) }))
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout + stderr)
          if (match) { waiters.delete(check); clearTimeout(timer); resolve(match) }
          else if (child.exitCode !== null) { waiters.delete(check); clearTimeout(timer); reject(new Error(`exited ${child.exitCode} before ${pattern}: ${stdout}${stderr}`)) }
        }
        const timer = setTimeout(() => { waiters.delete(check); child.kill(); reject(new Error(`timed out waiting for ${pattern}: ${stdout}${stderr}`)) }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    exit,
  }
}

/** Runs `conductor ARGS` to completion. */
async function conductor(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = start(args, env)
  const code = await run.exit
  return { code, stdout: run.stdout(), stderr: run.stderr() }
}

describe('conductor login against the development issuer', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url: string
  const dir = mkdtempSync(join(tmpdir(), 'conductor-cli-login-'))
  const configDir = join(dir, 'config')
  const env = () => ({ CONDUCTOR_CONFIG_DIR: configDir, CONDUCTOR_URL: url })
  const credentialsFile = join(configDir, 'credentials.json')
  const stored = () => JSON.parse(readFileSync(credentialsFile, 'utf8')) as { current: string; logins: Record<string, { accessToken: string; refreshToken: string | null; expiresAt: string; issuer: string; username: string }> }

  before(async () => {
    app = await startTestApp({ databaseUrl: `sqlite:${join(dir, 'conductor.db')}`, environments: [{ name: 'local', url: 'http://127.0.0.1:1' }] })
    url = await app.listen()
  })
  after(async () => {
    for (const child of children) child.kill()
    await app?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('the device flow: the user confirms the code and signs in as alice in a browser; tokens are stored 0600', async () => {
    const login = start(['login'], env())
    const [, verificationUrl] = await login.waitFor(/^\s+(http\S+\/device\S*)$/m)
    const [, userCode] = await login.waitFor(/shows the code (\S+)\./)
    assert.match(verificationUrl!, /user_code=/)

    const browser = createTestBrowser()
    let page = await browser.open(verificationUrl!)          // oidc-provider answers with a self-submitting form
    page = await browser.submit(page)
    assert.match(page.html, /Confirm Device/)
    assert.ok(page.html.includes(userCode!), 'the confirmation page shows the code the CLI printed')
    page = await browser.submit(page, {}, 'op.deviceConfirmForm')
    assert.match(page.html, /name="password"/, 'then the sign-in form')
    const wrong = await browser.submit(page, { login: 'alice', password: 'wrong' })
    assert.equal(wrong.status, 401)
    page = await browser.submit(page, { login: 'alice', password: 'alice' })
    assert.match(page.html, /Sign-in Success/)

    assert.equal(await login.exit, 0, login.stderr())
    assert.match(login.stdout(), /Signed in to http:\/\/127\.0\.0\.1:\d+ as User alice \(Alice Example, alice@example\.com\)\./)

    assert.equal(statSync(credentialsFile).mode & 0o777, 0o600)
    assert.equal(statSync(configDir).mode & 0o777, 0o700)
    const saved = stored()
    const entry = saved.logins[url]!
    assert.equal(saved.current, url)
    assert.equal(entry.issuer, app.devIssuer!.issuer)
    assert.equal(entry.username, 'alice')
    assert.ok(entry.refreshToken, 'a refresh token is stored (offline_access)')
    assert.ok(new Date(entry.expiresAt).getTime() > Date.now())

    const whoami = await conductor(['whoami'], env())
    assert.equal(whoami.code, 0, whoami.stderr)
    assert.match(whoami.stdout, /^User alice /)
    assert.match(whoami.stdout, /groups:\s+data-eng/)
    // Without CONDUCTOR_URL, the CLI uses the server of the last login.
    const json = await conductor(['whoami', '--output', 'json'], { CONDUCTOR_CONFIG_DIR: configDir })
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual({ ...JSON.parse(json.stdout), expiresAt: undefined }, {
      type: 'User', id: 'alice', username: 'alice', displayName: 'Alice Example', email: 'alice@example.com', issuer: 'dev',
      groups: ['data-eng'], idpGroups: ['data-eng'], server: url, tokenSource: 'login', expiresAt: undefined,
    })
  })

  test('an expired access token is renewed with the refresh token and the new tokens are stored', async () => {
    const before = stored()
    const entry = before.logins[url]!
    entry.expiresAt = new Date(Date.now() - 60_000).toISOString()
    writeFileSync(credentialsFile, JSON.stringify(before))
    const whoami = await conductor(['whoami'], env())
    assert.equal(whoami.code, 0, whoami.stderr)
    assert.match(whoami.stdout, /^User alice /)
    const after = stored().logins[url]!
    assert.notEqual(after.accessToken, entry.accessToken)
    assert.ok(new Date(after.expiresAt).getTime() > Date.now() + 60_000)
    assert.equal(statSync(credentialsFile).mode & 0o777, 0o600)
  })

  test('--token wins over $CONDUCTOR_TOKEN, which wins over the stored login', async () => {
    const bob = await app.tokenFor('bob')
    const carol = await app.tokenFor('carol')
    const viaEnv = await conductor(['whoami'], { ...env(), CONDUCTOR_TOKEN: bob })
    assert.match(viaEnv.stdout, /^User bob /)
    assert.match(viaEnv.stdout, /token:\s+from \$CONDUCTOR_TOKEN/)
    const viaFlag = await conductor(['whoami', '--token', carol], { ...env(), CONDUCTOR_TOKEN: bob })
    assert.match(viaFlag.stdout, /^User carol /)
  })

  test('logout revokes the refresh token at the issuer and deletes the stored tokens; then whoami exits 6', async () => {
    const refreshToken = stored().logins[url]!.refreshToken!
    const logout = await conductor(['logout'], env())
    assert.equal(logout.code, 0, logout.stderr)
    assert.equal(logout.stderr, '')
    assert.match(logout.stdout, /Signed out of http:\/\/127\.0\.0\.1:\d+ \(tokens revoked at the identity provider\)/)
    assert.equal(existsSync(credentialsFile), false)

    const meta = await (await fetch(`${app.devIssuer!.issuer}/.well-known/openid-configuration`)).json() as { token_endpoint: string }
    const refresh = await fetch(meta.token_endpoint, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'conductor-cli' }),
    })
    assert.equal(refresh.status, 400)
    assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant')

    const whoami = await conductor(['whoami'], env())
    assert.equal(whoami.code, 6)
    assert.match(whoami.stderr, /^conductor: token_missing: not signed in to http:\/\/127\.0\.0\.1:\d+; run `conductor login`/)
  })

  test('login --browser: authorization code + PKCE with a loopback redirect', async () => {
    const login = start(['login', '--browser', '--no-open'], env())
    const [, authorizeUrl] = await login.waitFor(/^\s+(http\S+\/auth\?\S+)$/m)
    const params = new URL(authorizeUrl!).searchParams
    assert.equal(params.get('code_challenge_method'), 'S256')
    assert.match(params.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/)

    const browser = createTestBrowser()
    let page = await browser.open(authorizeUrl!)
    assert.match(page.html, /name="password"/)
    page = await browser.submit(page, { login: 'bob', password: 'bob' })
    assert.match(page.html, /Signed in\. You can close this tab/)
    assert.equal(await login.exit, 0, login.stderr())
    assert.match(login.stdout(), /Signed in to .* as User bob /)
    assert.equal(statSync(credentialsFile).mode & 0o777, 0o600)
    const whoami = await conductor(['whoami'], env())
    assert.match(whoami.stdout, /^User bob /)
  })
})

// A very small stand-in for a person in a browser: follows redirects, keeps cookies per host, and
// submits a page's form with the fields a person would fill in. No JavaScript: oidc-provider's
// self-submitting form_post pages are submitted like any other form.

interface Page { url: URL; status: number; html: string }

const decode = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
const attr = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag)
  return match ? decode(match[1] ?? match[2] ?? '') : undefined
}

function formsOf(page: Page): { id: string | undefined; action: URL; method: string; fields: URLSearchParams }[] {
  return [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((match) => {
    const fields = new URLSearchParams()
    for (const input of match[2]!.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(input[1]!, 'name')
      if (name !== undefined) fields.append(name, attr(input[1]!, 'value') ?? '')
    }
    return { id: attr(match[1]!, 'id'), action: new URL(attr(match[1]!, 'action') ?? page.url.href, page.url), method: (attr(match[1]!, 'method') ?? 'get').toUpperCase(), fields }
  })
}

function createTestBrowser() {
  const jar = new Map<string, Map<string, string>>()
  const request = async (url: URL, post?: string): Promise<Page> => {
    let current = url
    let body = post
    for (let hop = 0; hop < 20; hop++) {
      const cookies = jar.get(current.host)
      const headers: Record<string, string> = { accept: 'text/html' }
      if (cookies?.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded'
      const response = await fetch(current, { method: body === undefined ? 'GET' : 'POST', headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) })
      const hostJar = jar.get(current.host) ?? new Map<string, string>()
      jar.set(current.host, hostJar)
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';')
        const eq = pair!.indexOf('=')
        const name = pair!.slice(0, eq).trim(), value = pair!.slice(eq + 1).trim()
        const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]!).getTime() < Date.now()))
        if (expired || value === '') hostJar.delete(name)
        else hostJar.set(name, value)
      }
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel()
        current = new URL(location, current)
        if (response.status !== 307 && response.status !== 308) body = undefined
        continue
      }
      return { url: current, status: response.status, html: await response.text() }
    }
    throw new Error(`too many redirects from ${url.href}`)
  }
  return {
    open: (url: string) => request(new URL(url)),
    submit(page: Page, fill: Record<string, string> = {}, formId?: string): Promise<Page> {
      const forms = formsOf(page)
      const form = formId === undefined ? forms[0] : forms.find((f) => f.id === formId)
      if (!form) throw new Error(`no form${formId ? ` "${formId}"` : ''} on ${page.url.href} (HTTP ${page.status}): ${page.html.slice(0, 300)}`)
      for (const [name, value] of Object.entries(fill)) form.fields.set(name, value)
      if (form.method === 'GET') {
        const target = new URL(form.action)
        target.search = form.fields.toString()
        return request(target)
      }
      return request(form.action, form.fields.toString())
    },
  }
}
