import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as oidc from 'openid-client'
import { ConductorError } from '../core/index.ts'
import { normalizeServerUrl, type StoredLogin } from './credentials.ts'

/** What `GET <server>/auth/config` tells the CLI about signing in. */
export interface AuthConfig {
  /** The sign-in issuer, or null when the server has none configured. */
  issuer: string | null
  cliClientId: string
  webClientId: string
  audience: string
  resource: string | null
  scopes: string[]
}

/** Tokens from a finished sign-in, before the caller checks them with Conductor and stores them. */
export type LoginResult = Omit<StoredLogin, 'username' | 'savedAt'>

/** What the device flow shows the user: where to go and the code to confirm there. */
export interface DevicePrompt {
  verificationUri: string
  verificationUriComplete: string | null
  userCode: string
  expiresInSeconds: number
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * Reads `GET <server>/auth/config`. Throws `issuer_unavailable` when the server cannot be reached,
 * does not offer the route, or has no sign-in issuer configured.
 */
export async function fetchAuthConfig(server: string, options: { fetch?: typeof fetch } = {}): Promise<AuthConfig> {
  const url = `${normalizeServerUrl(server)}/auth/config`
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15_000) })
  } catch (cause) {
    throw new ConductorError('issuer_unavailable', `cannot reach Conductor at ${server}: ${(cause as Error).message}`, { cause, details: { server } })
  }
  const body = await response.json().catch(() => undefined) as Partial<AuthConfig> | undefined
  if (!response.ok || body === undefined || typeof body.cliClientId !== 'string') {
    throw new ConductorError('issuer_unavailable', `${url} answered HTTP ${response.status}; is this a Conductor server that supports \`conductor login\`?`, { details: { server, status: response.status } })
  }
  if (!body.issuer) throw new ConductorError('issuer_unavailable', `${server} has no sign-in issuer configured (identity.login); use --token`, { details: { server } })
  return {
    issuer: body.issuer, cliClientId: body.cliClientId, webClientId: body.webClientId ?? '', audience: body.audience ?? '',
    resource: body.resource ?? null, scopes: Array.isArray(body.scopes) ? body.scopes : ['openid', 'offline_access'],
  }
}

/** OIDC discovery of `issuer` for the public client `clientId`; plain HTTP only on loopback. */
async function discover(issuer: string, clientId: string, metadata: Partial<oidc.ClientMetadata> = {}): Promise<oidc.Configuration> {
  const url = URL.parse(issuer)
  if (url === null) throw new ConductorError('invalid_input', `not a URL: ${issuer}`)
  const insecure = url.protocol === 'http:'
  if (insecure && !LOOPBACK.has(url.hostname)) {
    throw new ConductorError('login_failed', `refusing to sign in over plain HTTP with ${issuer}; the issuer must use https (or be on loopback)`)
  }
  try {
    return await oidc.discovery(url, clientId, metadata, oidc.None(), { timeout: 15, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) })
  } catch (cause) {
    throw new ConductorError('issuer_unavailable', `the sign-in issuer ${issuer} cannot be reached: ${describe(cause)}`, { cause, details: { issuer } })
  }
}

function resultOf(server: string, config: AuthConfig & { issuer: string }, response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, now: Date): LoginResult {
  const expiresIn = response.expiresIn()
  return {
    server: normalizeServerUrl(server),
    issuer: config.issuer,
    clientId: config.cliClientId,
    resource: config.resource,
    scopes: config.scopes,
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    idToken: response.id_token ?? null,
    expiresAt: expiresIn === undefined ? null : new Date(now.getTime() + expiresIn * 1000).toISOString(),
  }
}

/** Options of {@link deviceLogin}. */
export interface DeviceLoginOptions {
  server: string
  config: AuthConfig
  /** Shows the user where to go and which code to confirm; called once, before polling starts. */
  prompt: (prompt: DevicePrompt) => void
  /** Stops waiting (default: when the device code expires). */
  signal?: AbortSignal
  now?: () => Date
}

/**
 * Signs in with the OAuth 2.0 device authorization grant (RFC 8628) as the CLI's public client:
 * asks the issuer for a user code, shows it with {@link DeviceLoginOptions.prompt}, and polls the token
 * endpoint (honouring `interval` and `slow_down`) until the user has confirmed it in a browser.
 * Throws `login_failed` when the user denies it or the code expires.
 */
export async function deviceLogin(options: DeviceLoginOptions): Promise<LoginResult> {
  const config = withIssuer(options.config)
  const client = await discover(config.issuer, config.cliClientId)
  if (!client.serverMetadata().device_authorization_endpoint) {
    throw new ConductorError('login_failed', `${config.issuer} does not offer the device authorization grant; try \`conductor login --browser\``)
  }
  const resource: Record<string, string> = config.resource ? { resource: config.resource } : {}
  let device: oidc.DeviceAuthorizationResponse
  try {
    device = await oidc.initiateDeviceAuthorization(client, { scope: config.scopes.join(' '), ...resource })
  } catch (cause) {
    throw new ConductorError('login_failed', `the issuer refused to start the device sign-in: ${describe(cause)}`, { cause })
  }
  options.prompt({
    verificationUri: device.verification_uri,
    verificationUriComplete: device.verification_uri_complete ?? null,
    userCode: device.user_code,
    expiresInSeconds: device.expires_in,
  })
  try {
    const response = await oidc.pollDeviceAuthorizationGrant(client, device, resource, options.signal ? { signal: options.signal } : {})
    return resultOf(options.server, config, response, (options.now ?? (() => new Date()))())
  } catch (cause) {
    throw new ConductorError('login_failed', `sign-in did not complete: ${describe(cause)}`, { cause })
  }
}

/** Options of {@link browserLogin}. */
export interface BrowserLoginOptions {
  server: string
  config: AuthConfig
  /** Opens (or shows) the authorization URL; the default prints nothing and opens nothing. */
  open: (url: string) => void
  /** How long to wait for the browser to come back (default 5 minutes). */
  timeoutMs?: number
  now?: () => Date
}

/**
 * Signs in with the authorization code grant and PKCE (S256) through the user's browser, with the
 * redirect to a one-shot loopback listener `http://127.0.0.1:<free port>/callback` (RFC 8252).
 * Throws `login_failed` when the issuer refuses, the state does not match, or the time runs out.
 */
export async function browserLogin(options: BrowserLoginOptions): Promise<LoginResult> {
  const config = withIssuer(options.config)
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`
    const client = await discover(config.issuer, config.cliClientId, { redirect_uris: [redirectUri], response_types: ['code'] })
    const codeVerifier = oidc.randomPKCECodeVerifier()
    const state = oidc.randomState()
    const nonce = config.scopes.includes('openid') ? oidc.randomNonce() : undefined
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: redirectUri,
      scope: config.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      ...(nonce ? { nonce } : {}),
      // Refresh tokens (offline_access) need an explicit consent prompt at many issuers.
      ...(config.scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
      ...(config.resource ? { resource: config.resource } : {}),
    })
    const callback = waitForCallback(server, options.timeoutMs ?? 300_000)
    options.open(url.href)
    const currentUrl = await callback
    try {
      const response = await oidc.authorizationCodeGrant(client, currentUrl, {
        pkceCodeVerifier: codeVerifier, expectedState: state, ...(nonce ? { expectedNonce: nonce } : {}), idTokenExpected: nonce !== undefined,
      }, config.resource ? { resource: config.resource } : undefined)
      return resultOf(options.server, config, response, (options.now ?? (() => new Date()))())
    } catch (cause) {
      throw new ConductorError('login_failed', `sign-in failed: ${describe(cause)}`, { cause })
    }
  } finally {
    await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() })
  }
}

/** Resolves with the first `/callback` request's URL, answering the browser with a short page. */
function waitForCallback(server: Server, timeoutMs: number): Promise<URL> {
  return new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ConductorError('login_failed', `no answer from the browser within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs)
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (url.pathname !== '/callback') { res.writeHead(404).end(); return }
      const failed = url.searchParams.get('error')
      res.writeHead(failed ? 400 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(`<!DOCTYPE html><title>Conductor sign-in</title><p>${failed ? 'Sign-in failed; see the terminal.' : 'Signed in. You can close this tab and return to the terminal.'}</p>`)
      clearTimeout(timer)
      const address = server.address() as AddressInfo
      resolve(new URL(`${url.pathname}${url.search}`, `http://127.0.0.1:${address.port}`))
    })
  })
}

/**
 * Renews a stored login with its refresh token (keeping the old refresh token when the issuer does not
 * rotate it). Throws `session_expired` when the issuer refuses the refresh token, `issuer_unavailable`
 * when it cannot be reached.
 */
export async function refreshLogin(login: StoredLogin, options: { now?: () => Date } = {}): Promise<StoredLogin> {
  if (!login.refreshToken) throw new ConductorError('session_expired', `your sign-in to ${login.server} has expired; run \`conductor login\``)
  const client = await discover(login.issuer, login.clientId)
  let response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers
  try {
    response = await oidc.refreshTokenGrant(client, login.refreshToken, login.resource ? { resource: login.resource } : undefined)
  } catch (cause) {
    if (cause instanceof oidc.ResponseBodyError) {
      throw new ConductorError('session_expired', `the sign-in issuer refused to renew your sign-in to ${login.server} (${describe(cause)}); run \`conductor login\``, { cause })
    }
    throw new ConductorError('issuer_unavailable', `the sign-in issuer ${login.issuer} cannot be reached: ${describe(cause)}`, { cause, details: { issuer: login.issuer } })
  }
  const now = (options.now ?? (() => new Date()))()
  const expiresIn = response.expiresIn()
  return {
    ...login,
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? login.refreshToken,
    idToken: response.id_token ?? login.idToken,
    expiresAt: expiresIn === undefined ? null : new Date(now.getTime() + expiresIn * 1000).toISOString(),
    savedAt: now.toISOString(),
  }
}

/**
 * Revokes a stored login at the issuer (RFC 7009), when the issuer offers revocation: its refresh
 * token, or its access token when it has none. Resolves with `revoked` true when it did, false when
 * the issuer has no revocation endpoint or cannot revoke that kind of token;
 * throws `issuer_unavailable` when the issuer cannot be reached or refuses.
 */
export async function revokeLogin(login: StoredLogin): Promise<{ revoked: boolean }> {
  const client = await discover(login.issuer, login.clientId)
  if (!client.serverMetadata().revocation_endpoint) return { revoked: false }
  // Revoking the refresh token ends the grant at the issuer; a JWT access token often cannot be
  // revoked at all (RFC 7009 `unsupported_token_type`) and simply runs out.
  const [token, hint] = login.refreshToken ? [login.refreshToken, 'refresh_token'] : [login.accessToken, 'access_token']
  try {
    await oidc.tokenRevocation(client, token, { token_type_hint: hint })
  } catch (cause) {
    if (cause instanceof oidc.ResponseBodyError && cause.error === 'unsupported_token_type') return { revoked: false }
    throw new ConductorError('issuer_unavailable', `could not revoke the tokens at ${login.issuer}: ${describe(cause)}`, { cause })
  }
  return { revoked: true }
}

/**
 * Opens `url` in the user's browser (xdg-open, open, or start), detached and without waiting;
 * failures are ignored because the URL is also printed.
 */
export function openInBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
      : ['xdg-open', [url]]
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' })
    child.on('error', () => {})
    child.unref()
  } catch {
    // The URL is printed too.
  }
}

function withIssuer(config: AuthConfig): AuthConfig & { issuer: string } {
  if (!config.issuer) throw new ConductorError('issuer_unavailable', 'the server has no sign-in issuer configured')
  return config as AuthConfig & { issuer: string }
}

function describe(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError) return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`
  if (error instanceof oidc.AuthorizationResponseError) return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`
  if (error instanceof Error) return error.message
  return String(error)
}
