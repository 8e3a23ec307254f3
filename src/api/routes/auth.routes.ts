import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AuditLog } from '../../audit/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { AccessRevoker, OidcLogin, SessionStore, TokenVerifier } from '../../identity/index.ts'
import type { Authenticator } from '../authenticate.ts'
import { cliConfig, errorBody, errors, logoutResult, oidcError, session } from '../responses.ts'

/** What the sign-in routes need. `login` and `sessions` are null when no sign-in issuer is configured. */
export interface AuthRoutesDeps {
  login: OidcLogin | null
  sessions: SessionStore | null
  authenticator: Authenticator
  audit: Pick<AuditLog, 'append'>
  publicUrl: string
  cookieName: string
  absoluteTimeoutHours: number
  /** Checks back-channel logout tokens. */
  verifier: Pick<TokenVerifier, 'verifyLogoutToken'>
  revoker: AccessRevoker
  /** Public facts for `conductor login`. */
  cliConfig: { issuer: string | null; cliClientId: string; webClientId: string; audience: string; resource: string | null; scopes: string[] }
}

/** A same-site path to return to after sign-in; anything else (absolute URLs, `//host`, `/\\host`) becomes `/`. */
export function safeReturnTo(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\r\n]/.test(value)) return '/'
  return value
}

/** A redirect answer: no body, the target in `location`. */
const redirect = (description: string) => z.void().describe(description)

/** Browser sign-in with OIDC authorization code + PKCE, the session endpoints, and the CLI's public config. */
export function authRoutes(deps: AuthRoutesDeps): FastifyPluginAsyncZod {
  const secure = deps.publicUrl.startsWith('https:')
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure }
  const need = () => {
    if (!deps.login || !deps.sessions) throw new ConductorError('issuer_unavailable', 'no sign-in issuer is configured (identity.login)')
    return { login: deps.login, sessions: deps.sessions }
  }

  return async (app) => {
    app.get('/config', { schema: { tags: ['auth'], summary: 'Public sign-in facts for the CLI', security: [], response: { 200: cliConfig, ...errors(500) } } }, async () => deps.cliConfig)

    app.get('/login', { schema: { tags: ['auth'], summary: 'Start browser sign-in (redirects to the identity provider)', security: [], querystring: z.strictObject({ returnTo: z.string().max(2048).optional() }), response: { 302: redirect('To the identity provider'), ...errors(400, 500, 503) } } }, async (request, reply) => {
      const { login, sessions } = need()
      const start = await login.begin()
      await sessions.saveLoginState(start.state, start.codeVerifier, start.nonce, safeReturnTo(request.query.returnTo))
      return reply.redirect(start.url, 302)
    })

    app.get('/callback', { schema: { tags: ['auth'], summary: 'Finish browser sign-in', security: [], querystring: z.object({ state: z.string().max(512).optional(), code: z.string().max(4096).optional(), error: z.string().max(256).optional(), error_description: z.string().max(1024).optional() }), response: { 302: redirect('Signed in: back to the console page that asked (`returnTo`), with the session cookie set'), ...errors(400, 401, 500, 503) } } }, async (request, reply) => {
      const { login, sessions } = need()
      const q = request.query
      const pending = q.state ? await sessions.takeLoginState(q.state) : undefined
      try {
        if (!pending) throw new ConductorError('login_failed', 'unknown or expired sign-in; start again from the console')
        if (q.error) throw new ConductorError('login_failed', `the identity provider refused the sign-in: ${q.error}${q.error_description ? `: ${q.error_description}` : ''}`)
        const tokens = await login.complete(new URL(request.url, deps.publicUrl), { state: q.state!, codeVerifier: pending.codeVerifier, nonce: pending.nonce })
        const principal = await deps.authenticator.principalFromToken(tokens.accessToken)
        const { cookieValue } = await sessions.create(principal, tokens)
        reply.setCookie(deps.cookieName, cookieValue, { ...cookieOptions, maxAge: deps.absoluteTimeoutHours * 3600 })
        return reply.redirect(pending.returnTo, 302)
      } catch (error) {
        await deps.audit.append({ type: 'auth.failed', data: { reason: error instanceof ConductorError ? error.code : 'internal', message: error instanceof Error ? error.message : 'sign-in failed', route: '/auth/callback', ip: request.ip, httpRequestId: String(request.id) } })
        throw error
      }
    })

    app.get('/session', { schema: { tags: ['auth'], summary: 'The signed-in browser session, with its CSRF token', security: [], response: { 200: session, ...errors(401, 500, 503) } } }, async (request) => {
      const caller = await deps.authenticator.authenticate(request)
      if (!caller.session) throw new ConductorError('session_invalid', 'this route reports browser sessions; bearer tokens have none')
      const p = caller.principal
      return {
        principal: { type: p.type, id: p.id, username: p.username, displayName: p.displayName, email: p.email, groups: p.groups },
        csrfToken: caller.session.csrfToken,
        expiresAt: caller.session.expiresAt,
        idleExpiresAt: caller.session.idleExpiresAt,
      }
    })

    app.register(async (form) => {
      form.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))))
      })
      form.withTypeProvider<ZodTypeProvider>().post('/backchannel-logout', { schema: { tags: ['auth'], summary: 'OpenID Connect Back-Channel Logout 1.0: the IdP ends a user\'s sessions', security: [], body: z.object({ logout_token: z.string().min(1).max(16_384) }), response: { 200: z.void().describe('The sessions are ended; no body'), 400: z.union([oidcError, errorBody]), ...errors(500) } } }, async (request, reply) => {
        let token
        try {
          token = await deps.verifier.verifyLogoutToken(request.body.logout_token, deps.cliConfig.webClientId)
        } catch (error) {
          await deps.audit.append({ type: 'auth.failed', data: { reason: error instanceof ConductorError ? error.code : 'internal', message: error instanceof Error ? error.message : 'bad logout token', route: '/auth/backchannel-logout', ip: request.ip, httpRequestId: String(request.id) } })
          return reply.code(400).header('cache-control', 'no-store').send({ error: 'invalid_request', error_description: error instanceof Error ? error.message : 'invalid logout token' })
        }
        if (token.sessionId) await deps.revoker.revokeIdpSession(token.issuerName, token.sessionId, 'backchannel_logout')
        else await deps.revoker.revokePrincipal({ issuer: token.issuerName, subject: token.subject }, 'backchannel_logout')
        return reply.code(200).header('cache-control', 'no-store').send()
      })
    })

    app.post('/logout', { schema: { tags: ['auth'], summary: 'End the browser session (and at the identity provider)', security: [], response: { 200: logoutResult, ...errors(401, 403, 500, 503) } } }, async (request, reply) => {
      const { login, sessions } = need()
      const caller = await deps.authenticator.authenticate(request)
      if (!caller.session) throw new ConductorError('session_invalid', 'no browser session to end')
      if (!sessions.checkCsrf(caller.session, headerValue(request.headers['x-csrf-token']))) {
        throw new ConductorError('csrf_invalid', 'missing or wrong x-csrf-token header')
      }
      const ended = await sessions.end(request.cookies[deps.cookieName]!, 'logout')
      if (ended?.refreshToken) await login.revoke(ended.refreshToken)
      reply.clearCookie(deps.cookieName, cookieOptions)
      const home = new URL('/', deps.publicUrl).href
      const redirectTo = await login.endSessionUrl(ended?.idToken ?? null, home).catch(() => null)
      return { redirectTo: redirectTo ?? '/' }
    })
  }
}

/** A header's single value. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
