import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
import { Provider, errors as oidcErrors } from 'oidc-provider'
import type { Account, Configuration, KoaContextWithOIDC, ResourceServer } from 'oidc-provider'
import type { DevIssuerConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'

type DevUser = DevIssuerConfig['users'][number]

/** The grant type that mints an access token for a named demo user, without a login page. */
export const DEV_USER_GRANT_TYPE = 'urn:conductor:params:oauth:grant-type:dev-user'
/** The public client of the web UI (authorization code flow with PKCE). */
export const DEV_WEB_CLIENT_ID = 'conductor-web'
/** The public client of the CLI (device authorization flow, or code + PKCE with a loopback redirect `http://127.0.0.1:<any port>/callback`). */
export const DEV_CLI_CLIENT_ID = 'conductor-cli'
/** The public client allowed to use {@link DEV_USER_GRANT_TYPE}. */
export const DEV_TOKEN_CLIENT_ID = 'conductor-dev'
/** Where the web client's redirect URI points below `publicUrl`, unless `redirectUris` is given. */
export const DEV_WEB_CALLBACK_PATH = '/auth/callback'

const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'
const RESOURCE_SCOPE = 'conductor'

/** Options of {@link startDevIssuer}. */
export interface DevIssuerOptions {
  /** `identity.devIssuer`: host, port (0 picks a free one) and the demo users. */
  config: DevIssuerConfig
  /** The `aud` of the access tokens it issues (`identity.audience`). */
  audience: string
  /** Conductor's public URL; the web client may redirect to `<publicUrl>/auth/callback`. */
  publicUrl?: string
  /** The web client's redirect URIs, instead of the one derived from `publicUrl`. */
  redirectUris?: string[]
  /** Lifetime of access tokens in seconds (default 3600). */
  accessTokenTtlSeconds?: number
}

/** A running development issuer. */
export interface DevIssuer {
  /** The issuer URL (`http://host:port`), also the `iss` of its tokens. */
  issuer: string
  /** The resource indicator under which access tokens for the audience are issued. */
  resource: string
  /** Mints an access token for a demo user over HTTP, as {@link requestDevToken} does. */
  tokenFor(username: string): Promise<string>
  /**
   * Changes a demo user as an IdP administrator would: new groups show in the next tokens, and a disabled
   * user can neither sign in nor renew tokens (refresh grants fail).
   */
  setUser(username: string, change: { groups?: string[]; enabled?: boolean }): void
  /** Stops the server and drops every connection. */
  close(): Promise<void>
}

/**
 * Starts the built-in development OIDC issuer (oidc-provider) on `config.host:config.port`.
 *
 * **For development and tests only.** It keeps everything in memory and generates fresh RS256 and
 * ES256 signing keys at each start. Its users are `config.users`: each signs in on oidc-provider's
 * development login page with **the password equal to the username**, and its tokens carry
 * `preferred_username`, `name`, `email` and `groups`. Access tokens for `audience` are JWTs (RS256).
 *
 * Clients: `conductor-web` (public, authorization code + PKCE), `conductor-cli` (public, device flow, or
 * code + PKCE redirecting to `http://127.0.0.1:<any port>/callback`),
 * and `conductor-dev`, which may use the grant {@link DEV_USER_GRANT_TYPE} with a `username` to get an
 * access token for that demo user directly (see {@link requestDevToken}). An unknown user gets the
 * OAuth error `invalid_grant`.
 */
export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const { config, audience } = options
  const users = new Map(config.users.map((user) => [user.username, user]))
  const disabled = new Set<string>()
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => { server.off('error', reject); resolve() })
  })
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const issuer = `http://${host}:${port}`
  const resource = URL.parse(audience) === null ? `urn:conductor:audience:${encodeURIComponent(audience)}` : audience
  const accessTokenTTL = options.accessTokenTtlSeconds ?? 3600
  const resourceServer: ResourceServer = {
    scope: RESOURCE_SCOPE,
    audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL,
    jwt: { sign: { alg: 'RS256' } },
  }
  const redirectUris = options.redirectUris
    ?? [new URL(DEV_WEB_CALLBACK_PATH, options.publicUrl ?? 'http://127.0.0.1:7700').href]
  const webOrigins = new Set(redirectUris.map((uri) => new URL(uri).origin))

  const account = (username: string): Account | undefined => {
    const user = users.get(username)
    if (user === undefined || disabled.has(username)) return undefined
    return {
      accountId: user.username,
      claims: () => ({ sub: user.username, ...profileClaims(user) }),
    }
  }

  const configuration: Configuration = {
    jwks: { keys: await signingKeys() },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', RESOURCE_SCOPE],
    clients: [
      {
        client_id: DEV_WEB_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        redirect_uris: redirectUris,
        post_logout_redirect_uris: [...webOrigins].map((origin) => `${origin}/`),
        // The IdP tells Conductor when a user signs out here (OpenID Connect Back-Channel Logout 1.0).
        backchannel_logout_uri: new URL('/auth/backchannel-logout', redirectUris[0]).href,
        backchannel_logout_session_required: true,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: DEV_CLI_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        // `conductor login --browser`: a loopback redirect; native clients may use any port on it (RFC 8252 §7.3).
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: [DEVICE_CODE_GRANT_TYPE, 'authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: DEV_TOKEN_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: [],
        grant_types: [DEV_USER_GRANT_TYPE],
        response_types: [],
      },
    ],
    findAccount: (_ctx, sub) => account(sub),
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      backchannelLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new oidcErrors.InvalidTarget(`unknown resource, use "${resource}"`)
          return resourceServer
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const accountId = 'accountId' in token ? token.accountId : undefined
      const user = typeof accountId === 'string' ? users.get(accountId) : undefined
      if (user === undefined) return undefined
      return profileClaims(user)
    },
    // First-party clients: sign-in grants every scope, no consent page.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { provider, client, session } = ctx.oidc
      const grantId = ctx.oidc.result?.consent?.grantId ?? (client ? session?.grantIdFor(client.clientId) : undefined)
      if (grantId) return provider.Grant.find(grantId)
      if (client === undefined || session?.accountId === undefined) return undefined
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId })
      grant.addOIDCScope('openid profile email groups offline_access')
      grant.addResourceScope(resource, RESOURCE_SCOPE)
      await grant.save()
      return grant
    },
    clientBasedCORS: (_ctx, origin) => webOrigins.has(origin),
    // The development issuer runs beside Conductor on loopback, which oidc-provider's SSRF guard refuses to call;
    // its only outgoing calls are back-channel logouts to the Conductor it was started with.
    fetch: (url, options) => {
      const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown }
      return globalThis.fetch(url, rest)
    },
    // First-party clients always get a refresh token, so Conductor can re-check the user with the issuer.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: accessTokenTTL,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
  }

  const provider = new Provider(issuer, configuration)

  provider.registerGrantType<{ username?: string; audience?: string }>(DEV_USER_GRANT_TYPE, async (ctx) => {
    const { client, params } = ctx.oidc
    const username = params.username
    if (typeof username !== 'string' || username.length === 0) {
      throw new oidcErrors.InvalidRequest('missing required parameter \'username\'')
    }
    if (params.audience !== undefined && params.audience !== audience) {
      throw new oidcErrors.InvalidTarget(`this issuer only issues tokens for audience "${audience}"`)
    }
    const user = users.get(username)
    if (user === undefined || disabled.has(username)) {
      throw new oidcErrors.CustomOIDCProviderError('invalid_grant', `unknown or disabled demo user "${username}"`)
    }
    const grant = new provider.Grant({ clientId: client.clientId, accountId: user.username })
    grant.addResourceScope(resource, RESOURCE_SCOPE)
    const grantId = await grant.save()
    const token = new provider.AccessToken({
      client,
      accountId: user.username,
      grantId,
      gty: DEV_USER_GRANT_TYPE,
      scope: RESOURCE_SCOPE,
      resourceServer: new provider.ResourceServer(resource, resourceServer),
    })
    const value = await token.save()
    ctx.body = { access_token: value, token_type: token.tokenType, expires_in: token.expiration, scope: RESOURCE_SCOPE }
  }, ['username', 'audience'])

  const callback = provider.callback()
  server.on('request', (req, res) => {
    if (req.method === 'POST' && /^\/interaction\/[^/]+$/.test(new URL(req.url ?? '/', issuer).pathname)) {
      submitLogin(provider, users, disabled, req, res).catch((error: unknown) => {
        if (!res.headersSent) { res.statusCode = 400; res.setHeader('content-type', 'text/plain; charset=utf-8') }
        res.end(`sign-in failed: ${error instanceof Error ? error.message : 'unknown error'}`)
      })
      return
    }
    void callback(req, res)
  })

  let closed: Promise<void> | undefined
  return {
    issuer,
    resource,
    tokenFor: (username) => requestDevToken({ issuer, username, audience }),
    setUser(username, change) {
      const user = users.get(username)
      if (user === undefined) throw new ConductorError('not_found', `no demo user "${username}"`)
      if (change.groups) users.set(username, { ...user, groups: [...change.groups] })
      if (change.enabled === false) disabled.add(username)
      if (change.enabled === true) disabled.delete(username)
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    },
  }
}

/**
 * The development login form's submit: only a demo user with the password equal to the username
 * may sign in. (oidc-provider's own development form accepts any login.)
 */
async function submitLogin(provider: Provider, users: Map<string, unknown>, disabled: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > 16_384) throw new Error('form too large')
    chunks.push(chunk as Buffer)
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
  const interaction = await provider.interactionDetails(req, res)
  // First-party clients: consent (asked for by prompt=consent, and always by native clients such as the
  // CLI's loopback sign-in) is given with the sign-in, or by the consent page when already signed in.
  if (form.get('prompt') === 'consent' && interaction.prompt.name === 'consent') {
    await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true })
    return
  }
  if (form.get('prompt') !== 'login' || interaction.prompt.name !== 'login') throw new Error('unexpected prompt')
  const login = form.get('login') ?? ''
  if (!users.has(login) || disabled.has(login) || form.get('password') !== login) {
    res.statusCode = 401
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end(`<!DOCTYPE html><title>Sign-in failed</title><p>Unknown demo user or wrong password (development issuer: the password is the username).</p><p><a href="/interaction/${encodeURIComponent(interaction.uid)}">Try again</a></p>`)
    return
  }
  await provider.interactionFinished(req, res, { login: { accountId: login }, consent: {} }, { mergeWithLastSubmission: false })
}

function profileClaims(user: DevUser): Record<string, unknown> {
  return {
    preferred_username: user.username,
    name: user.name ?? user.username,
    ...(user.email === undefined ? {} : { email: user.email }),
    groups: [...user.groups],
  }
}

async function signingKeys(): Promise<JWK[]> {
  const keys: JWK[] = []
  for (const alg of ['RS256', 'ES256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true })
    const jwk = await exportJWK(privateKey)
    keys.push({ ...jwk, alg, use: 'sig', kid: `dev-${alg.toLowerCase()}-${randomBytes(6).toString('hex')}` })
  }
  return keys
}

/** Options of {@link requestDevToken}. */
export interface RequestDevTokenOptions {
  /** The development issuer's URL. */
  issuer: string
  /** A demo user's username. */
  username: string
  /** The audience the token is for (`identity.audience`). */
  audience: string
  /** Fetch to use; the global `fetch` by default. */
  fetch?: typeof globalThis.fetch
}

/**
 * Asks the development issuer for an access token for a demo user, with the grant
 * {@link DEV_USER_GRANT_TYPE} as client `conductor-dev`, and returns the JWT.
 * Throws `invalid_input` when the issuer refuses (its OAuth `error` and `error_description` are in
 * the message and details, e.g. `invalid_grant: unknown or disabled demo user "mallory"`), and
 * `issuer_unavailable` when it cannot be reached.
 */
export async function requestDevToken(options: RequestDevTokenOptions): Promise<string> {
  const fetchImpl = options.fetch ?? globalThis.fetch
  let tokenEndpoint: string
  let response: Response
  try {
    const discovery = await fetchImpl(`${options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(15_000) })
    const meta = await discovery.json() as { token_endpoint?: unknown }
    if (!discovery.ok || typeof meta.token_endpoint !== 'string') throw new Error(`discovery answered HTTP ${discovery.status}`)
    tokenEndpoint = meta.token_endpoint
    response = await fetchImpl(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: DEV_USER_GRANT_TYPE, client_id: DEV_TOKEN_CLIENT_ID, username: options.username, audience: options.audience }),
      signal: AbortSignal.timeout(15_000),
    })
  } catch (error) {
    throw new ConductorError('issuer_unavailable', `development issuer ${options.issuer} cannot be reached`, { cause: error, details: { issuer: options.issuer } })
  }
  const body = await response.json().catch(() => ({})) as Record<string, unknown>
  if (response.ok && typeof body.access_token === 'string') return body.access_token
  const error = typeof body.error === 'string' ? body.error : `http_${response.status}`
  const description = typeof body.error_description === 'string' ? body.error_description : 'no description'
  throw new ConductorError('invalid_input', `development issuer refused the token request: ${error}: ${description}`, {
    details: { error, error_description: description, username: options.username },
  })
}
