import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AirflowJwks } from '../../identity/index.ts'
import { errors } from '../responses.ts'

/** Where Airflow's `[api_auth] trusted_jwks_url` points: Conductor's public keys for per-person tokens, and the extra keys config lists. */
export const AIRFLOW_JWKS_PATH = '/.well-known/airflow-jwks.json'

const publicJwk = z.looseObject({
  kty: z.string().describe('`EC` or `RSA` for Conductor\'s keys; whatever the extra keys are (Airflow\'s own: `RSA` or `OKP`).'),
  kid: z.string().describe('Conductor\'s keys: the RFC 7638 thumbprint; extra keys: as configured (Airflow\'s `[api_auth] jwt_kid`).'),
  alg: z.string().optional(),
  use: z.string().optional(),
}).describe('A public JSON Web Key (RFC 7517); never a private member.')

const airflowJwks = z.strictObject({ keys: z.array(publicJwk) }).meta({ id: 'AirflowJwks', description: 'A JSON Web Key Set (RFC 7517).' })

/**
 * `GET /.well-known/airflow-jwks.json`, public: the keys that verify Conductor-signed per-person tokens (every
 * `identity.airflowTokens.signingKeys` entry, the signing one first) and the operator's `extraJwks`. Cacheable for
 * a minute, so a new key is seen by Airflow before it signs (add it second, then make it first).
 */
export function airflowJwksRoutes(deps: { jwks: () => Promise<AirflowJwks> }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(AIRFLOW_JWKS_PATH, {
      schema: {
        tags: ['identity'], summary: 'The keys Airflow trusts for per-person tokens (`[api_auth] trusted_jwks_url`)', security: [],
        response: { 200: airflowJwks, ...errors(500) },
      },
    }, async (_request, reply) => {
      const jwks = await deps.jwks()
      reply.header('cache-control', 'public, max-age=60')
      return jwks
    })
  }
}
