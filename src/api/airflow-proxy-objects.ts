import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AirflowObjects, CallMeta } from '../governance/index.ts'
import type { Principal } from '../identity/index.ts'
import { AIRFLOW_OBJECTS, type AirflowObjectKind } from '../orchestrators/index.ts'
import { airflowPage, listParam, parse } from './airflow-proxy-input.ts'
import { AIRFLOW_OBJECT_ROUTES } from './airflow-proxy-map.ts'

/** The query parameter each kind's list filters by (Airflow 3's names; a case-insensitive substring, `|` between alternatives). */
const PATTERN_PARAM: Readonly<Record<AirflowObjectKind, string>> = {
  connection: 'connection_id_pattern',
  variable: 'variable_key_pattern',
  pool: 'pool_name_pattern',
}

const objectBody = z.record(z.string(), z.unknown())

/** What {@link registerAirflowObjectRoutes} needs from the proxy it is part of. */
export interface AirflowObjectRoutesDeps {
  objects: AirflowObjects
  who(request: FastifyRequest): Principal
  env(request: FastifyRequest): string
  meta(request: FastifyRequest): CallMeta
  /** What a create answers: Airflow 3 says 201, Airflow 2 200. */
  createdStatus: 200 | 201
  /** A list's page when the caller gives no `limit`: Airflow 3's is 50, Airflow 2's 100. */
  defaultLimit: number
}

/**
 * Registers on `app` (a proxy plugin, whose hooks authenticate the caller) the routes of {@link AIRFLOW_OBJECT_ROUTES}
 * for connections, variables and pools. Bodies are Airflow's own JSON, passed to the environment's Airflow as they
 * are (it validates them; a refusal is a 400 with its reason, never the values sent); answers are Airflow's.
 */
export function registerAirflowObjectRoutes(app: FastifyInstance, deps: AirflowObjectRoutesDeps): void {
  const { objects, who, env, meta } = deps
  for (const kind of Object.keys(AIRFLOW_OBJECTS) as AirflowObjectKind[]) {
    const { collection, idField } = AIRFLOW_OBJECTS[kind]
    const listQuery = z.looseObject({ ...airflowPage(deps.defaultLimit), [PATTERN_PARAM[kind]]: z.string().max(250).optional() })
    const name = (request: FastifyRequest) => (request.params as { name: string }).name
    for (const route of AIRFLOW_OBJECT_ROUTES) {
      app.route({ method: route.method, url: `/${collection}${route.path}`, schema: { hide: true }, handler: async (request, reply) => {
        switch (route.operation) {
          case 'list': {
            const q = parse(listQuery, request.query, 'query') as { limit: number; offset: number } & Record<string, unknown>
            const terms = typeof q[PATTERN_PARAM[kind]] === 'string' ? String(q[PATTERN_PARAM[kind]]).toLowerCase().split('|').filter(Boolean) : []
            const shown = (await objects.list(who(request), env(request), kind))
              .filter((o) => terms.length === 0 || terms.some((t) => String(o[idField]).toLowerCase().includes(t)))
              .sort((a, b) => String(a[idField]).localeCompare(String(b[idField])))
            return { [collection]: shown.slice(q.offset, q.offset + q.limit), total_entries: shown.length }
          }
          case 'get':
            return objects.get(who(request), env(request), kind, name(request), meta(request))
          case 'create': {
            const created = await objects.create(who(request), env(request), kind, parse(objectBody, request.body, 'body'), meta(request))
            return reply.code(deps.createdStatus).send(created)
          }
          case 'update': {
            const mask = listParam((request.query as { update_mask?: unknown }).update_mask)
            return objects.update(who(request), env(request), kind, name(request), parse(objectBody, request.body, 'body'), mask, meta(request))
          }
          case 'delete':
            await objects.remove(who(request), env(request), kind, name(request), meta(request))
            return reply.code(204).send()
        }
      } })
    }
  }
}
