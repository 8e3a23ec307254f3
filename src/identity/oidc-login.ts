import * as oidc from 'openid-client'
import type { Clock } from '../core/index.ts'
import { ConductorError } from '../core/index.ts'

/** What a finished sign-in or refresh yields. Tokens stay inside Conductor. */
export interface LoginTokens {
  accessToken: string
  refreshToken: string | null
  idToken: string | null
  /** The IdP session (`sid` of the ID token), for back-channel logout. */
  idpSessionId: string | null
}

/** The relying-party side of OIDC sign-in for the web console (authorization code + PKCE). */
export interface OidcLogin {
  /** The issuer URL people sign in with. */
  readonly issuer: string
  /** Starts a sign-in: the URL to send the browser to, and what must be kept until the callback. */
  begin(): Promise<{ url: string; state: string; codeVerifier: string; nonce: string }>
  /** Finishes a sign-in from the callback URL; throws `login_failed` with the IdP's reason. */
  complete(callbackUrl: URL, checks: { state: string; codeVerifier: string; nonce: string }): Promise<LoginTokens>
  /** Uses a refresh token; throws `session_revoked` when the IdP refuses it, `issuer_unavailable` when unreachable. */
  refresh(refreshToken: string): Promise<LoginTokens>
  /** Revokes a refresh token at the IdP when it supports revocation; never throws. */
  revoke(refreshToken: string): Promise<void>
  /** The IdP's end-session URL (RP-initiated logout), or null when it has none. */
  endSessionUrl(idToken: string | null, postLogoutRedirectUri: string): Promise<string | null>
}

/** Options of {@link createOidcLogin}. */
export interface OidcLoginOptions {
  issuer: string
  clientId: string
  /**
   * The client secret of a confidential web client, read before each call to the token endpoint (through the secrets
   * cache: a rotated secret is used within its TTL, no restart). A public client with PKCE has none.
   */
  clientSecret?: () => Promise<string>
  /** Told when the IdP refuses the client (`invalid_client`): the secret is then read afresh and the call made once more. */
  onClientSecretRejected?: () => void
  redirectUri: string
  scopes: string[]
  /** RFC 8707 resource indicator for Conductor's access tokens, when the IdP needs one. */
  resource?: string | null
  clock?: Clock
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * Creates the OIDC relying party with openid-client. Discovery happens on first use and is cached,
 * so an IdP that is down at start does not stop Conductor. Plain-HTTP issuers are allowed on loopback only.
 */
export function createOidcLogin(options: OidcLoginOptions): OidcLogin {
  let configuration: Promise<oidc.Configuration> | undefined
  // The secret last read; client_secret_post sends it. Each token call reads it (cached by the secrets layer) first.
  let clientSecret = ''
  const readSecret = options.clientSecret
  const config = () => {
    configuration ??= (async () => {
      const url = new URL(options.issuer)
      const insecure = url.protocol === 'http:' && LOOPBACK.has(url.hostname)
      const auth: oidc.ClientAuth = readSecret ? (as, client, body, headers) => oidc.ClientSecretPost(clientSecret)(as, client, body, headers) : oidc.None()
      return oidc.discovery(url, options.clientId, { redirect_uris: [options.redirectUri], response_types: ['code'] }, auth,
        insecure ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 })
    })().catch((cause) => {
      configuration = undefined
      throw new ConductorError('issuer_unavailable', `the identity provider ${options.issuer} cannot be reached`, { cause, details: { issuer: options.issuer } })
    })
    return configuration
  }
  const resourceParams = options.resource ? { resource: options.resource } : undefined

  /**
   * Runs a call to the token endpoint with the current client secret; when the IdP answers `invalid_client` (the secret
   * was rotated there before the cache's TTL ran out), reads the secret afresh and makes the call once more.
   */
  async function asClient<T>(c: oidc.Configuration, call: (c: oidc.Configuration) => Promise<T>): Promise<T> {
    if (!readSecret) return call(c)
    clientSecret = await readSecret()
    try {
      return await call(c)
    } catch (error) {
      if (!(error instanceof oidc.ResponseBodyError && error.error === 'invalid_client')) throw error
      options.onClientSecretRejected?.()
      clientSecret = await readSecret()
      return call(c)
    }
  }

  const tokensOf = (response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): LoginTokens => {
    const claims = response.claims()
    return {
      accessToken: response.access_token,
      refreshToken: response.refresh_token ?? null,
      idToken: response.id_token ?? null,
      idpSessionId: typeof claims?.sid === 'string' ? claims.sid : null,
    }
  }

  return {
    issuer: options.issuer,

    async begin() {
      const c = await config()
      const codeVerifier = oidc.randomPKCECodeVerifier()
      const state = oidc.randomState()
      const nonce = oidc.randomNonce()
      const url = oidc.buildAuthorizationUrl(c, {
        redirect_uri: options.redirectUri,
        scope: options.scopes.join(' '),
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...resourceParams,
      })
      return { url: url.href, state, codeVerifier, nonce }
    },

    async complete(callbackUrl, checks) {
      const c = await config()
      try {
        const response = await asClient(c, (current) => oidc.authorizationCodeGrant(current, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true,
        }, resourceParams))
        return tokensOf(response)
      } catch (cause) {
        throw new ConductorError('login_failed', `sign-in failed: ${describe(cause)}`, { cause })
      }
    },

    async refresh(refreshToken) {
      const c = await config()
      try {
        return tokensOf(await asClient(c, (current) => oidc.refreshTokenGrant(current, refreshToken, resourceParams)))
      } catch (cause) {
        if (cause instanceof oidc.ResponseBodyError || cause instanceof oidc.AuthorizationResponseError) {
          throw new ConductorError('session_revoked', `the identity provider refused to renew the session: ${describe(cause)}`, { cause })
        }
        throw new ConductorError('issuer_unavailable', `the identity provider ${options.issuer} cannot be reached`, { cause, details: { issuer: options.issuer } })
      }
    },

    async revoke(refreshToken) {
      try {
        const c = await config()
        if (c.serverMetadata().revocation_endpoint) await asClient(c, (current) => oidc.tokenRevocation(current, refreshToken, { token_type_hint: 'refresh_token' }))
      } catch {
        // Best effort: the session is already ended on our side.
      }
    },

    async endSessionUrl(idToken, postLogoutRedirectUri) {
      const c = await config()
      if (!c.serverMetadata().end_session_endpoint) return null
      return oidc.buildEndSessionUrl(c, {
        post_logout_redirect_uri: postLogoutRedirectUri,
        client_id: options.clientId,
        ...(idToken ? { id_token_hint: idToken } : {}),
      }).href
    },
  }
}

function describe(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError) return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`
  if (error instanceof oidc.AuthorizationResponseError) return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`
  return error instanceof Error ? error.message : String(error)
}
