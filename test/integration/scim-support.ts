/* eslint-disable @typescript-eslint/no-explicit-any -- SCIM answers are JSON read field by field; the assertions check their shape */
import Fastify from 'fastify'
import { createAuditLog, type AuditLog } from '../../src/audit/index.ts'
import { scimRoutes } from '../../src/api/routes/scim.routes.ts'
import { systemClock } from '../../src/core/index.ts'
import { createScimService, createScimTokenStore, type ScimEvents, type ScimService, type ScimTables, type ScimTokenStore, type ScimUserSummary } from '../../src/identity/scim/index.ts'
import type { Database } from '../../src/store/index.ts'
import type { Kysely } from 'kysely'
import type { TestDatabase } from '../support/databases.ts'

/** One recorded revocation event. */
export interface RecordedEvent {
  event: keyof ScimEvents
  user: ScimUserSummary
  groups?: string[]
}

/** A SCIM server on loopback over a test database, with a token and a record of the revocation events. */
export interface ScimTestServer {
  base: string
  token: string
  tokens: ScimTokenStore
  service: ScimService
  audit: AuditLog
  events: RecordedEvent[]
  /** fetch against the SCIM base with the bearer token; `body` objects are sent as application/scim+json. */
  call(method: string, path: string, options?: { body?: unknown; raw?: string; headers?: Record<string, string>; token?: string | null }): Promise<{ status: number; body: any; headers: Headers }>
  close(): Promise<void>
}

/** Starts the SCIM routes under /scim/v2 in a Fastify instance on 127.0.0.1:0, as the real server mounts them. */
export async function startScimServer(database: TestDatabase, options: { bodyLimitBytes?: number } = {}): Promise<ScimTestServer> {
  const audit = createAuditLog({ database: database as unknown as Database<never> as never })
  const events: RecordedEvent[] = []
  const service = createScimService({
    database: database as unknown as Pick<Database<ScimTables>, 'db' | 'dialect'>,
    events: {
      userDeactivated: (user) => { events.push({ event: 'userDeactivated', user }) },
      userReactivated: (user) => { events.push({ event: 'userReactivated', user }) },
      userDeleted: (user) => { events.push({ event: 'userDeleted', user }) },
      membershipsAdded: (user, groups) => { events.push({ event: 'membershipsAdded', user, groups }) },
      membershipsRemoved: (user, groups) => { events.push({ event: 'membershipsRemoved', user, groups }) },
    },
  })
  const tokens = createScimTokenStore({ db: database.db as unknown as Kysely<ScimTables>, clock: systemClock })
  const { token } = await tokens.create('test-idp')
  const app = Fastify({ bodyLimit: 10 * 1024 * 1024 })
  await app.register(scimRoutes({ scim: service, tokens, audit, ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}) }), { prefix: '/scim/v2' })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `${address}/scim/v2`
  return {
    base, token, tokens, service, audit, events,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? token}` }), ...opts.headers }
      let body: string | undefined
      if (opts.raw !== undefined) body = opts.raw
      else if (opts.body !== undefined) body = JSON.stringify(opts.body)
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/scim+json'
      const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) })
      const text = await res.text()
      let parsed: unknown = null
      if (text) { try { parsed = JSON.parse(text) } catch { parsed = text } }
      return { status: res.status, body: parsed, headers: res.headers }
    },
    async close() {
      await app.close()
    },
  }
}
