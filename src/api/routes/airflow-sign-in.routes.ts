import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AuditLog } from '../../audit/index.ts'
import { ConductorError, errorKind } from '../../core/index.ts'
import type { AirflowSignInCodes } from '../../identity/index.ts'
import type { Authenticator } from '../authenticate.ts'
import { errors } from '../responses.ts'
import { envParams } from '../schemas.ts'

/** An environment people sign in to through Conductor: its name and the URL browsers reach its Airflow at. */
export interface AirflowSignInEnvironment {
  name: string
  publicUrl: string
}

/** What the Airflow sign-in route needs. */
export interface AirflowSignInRoutesDeps {
  authenticator: Pick<Authenticator, 'authenticate'>
  codes: Pick<AirflowSignInCodes, 'issue'>
  /** The environments governed now (asked at each sign-in: a config reload may change them). */
  environments: () => readonly AirflowSignInEnvironment[]
  audit: Pick<AuditLog, 'append'>
}

/**
 * Where sign-in returns to in Airflow: `next` when it is on the environment's own origin (absolute, or a path), else
 * the Airflow's home page. Nothing else, so the route cannot be used to send people elsewhere.
 */
export function airflowReturnUrl(next: string | undefined, publicUrl: string): string {
  const home = new URL(`${publicUrl.replace(/\/+$/, '')}/`)
  if (!next || /[\r\n\\]/.test(next) || next.startsWith('//')) return home.href
  try {
    const target = new URL(next, home)
    return target.origin === home.origin && target.pathname.startsWith(home.pathname) ? target.href : home.href
  } catch {
    return home.href
  }
}

/**
 * `GET /auth/airflow/{env}/login?next=…`: the login page of an Airflow running the Conductor auth manager. A person
 * without a Conductor session goes through Conductor's own sign-in (the identity provider) first and comes back
 * here; one with a session is sent to `<Airflow>/auth/callback` with a one-time code, which the auth manager
 * redeems at `POST /api/v1/airflow/{env}/sign-in` for the person and turns into Airflow's own session.
 */
export function airflowSignInRoutes(deps: AirflowSignInRoutesDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/airflow/:env/login', {
      schema: {
        tags: ['auth'], summary: 'Sign in to an Airflow\'s own UI through Conductor (the Conductor auth manager\'s login page)', security: [],
        params: envParams, querystring: z.strictObject({ next: z.string().max(4096).optional().describe('Where in Airflow to return to; only the environment\'s own origin is followed.') }),
        response: { 302: z.void().describe('To Conductor\'s sign-in when there is no session, else to the Airflow\'s `/auth/callback` with a one-time code'), ...errors(400, 404, 500, 503) },
      },
    }, async (request, reply) => {
      const env = deps.environments().find((e) => e.name === request.params.env)
      if (!env) throw new ConductorError('environment_not_found', `unknown environment "${request.params.env}"`, { details: { environment: request.params.env } })
      let caller
      try {
        caller = await deps.authenticator.authenticate(request)
      } catch (error) {
        if (!(error instanceof ConductorError) || errorKind(error.code) !== 'unauthenticated') throw error
      }
      if (!caller?.session) {
        const again = `/auth/airflow/${encodeURIComponent(env.name)}/login${request.query.next ? `?${new URLSearchParams({ next: request.query.next })}` : ''}`
        return reply.redirect(`/auth/login?${new URLSearchParams({ returnTo: again })}`, 302)
      }
      const code = await deps.codes.issue({ type: caller.principal.type, id: caller.principal.id }, env.name)
      await deps.audit.append({ type: 'airflow.sign_in_started', principal: caller.principal.id, principalType: caller.principal.type, environment: env.name, data: { httpRequestId: String(request.id) } })
      const callback = new URL(`${env.publicUrl.replace(/\/+$/, '')}/auth/callback`)
      callback.search = new URLSearchParams({ code, next: airflowReturnUrl(request.query.next, env.publicUrl) }).toString()
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(callback.href, 302)
    })
  }
}
