/* eslint-disable @typescript-eslint/no-explicit-any -- SCIM answers are JSON read field by field; the assertions check their shape */
import type { AuditLog } from '../../src/audit/index.ts'
import type { ScimEvents, ScimService, ScimTokenStore, ScimUserSummary } from '../../src/identity/index.ts'
import { freePort, startTestApp } from '../../harness/app.ts'
import type { TestDatabase } from '../../harness/databases.ts'

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

/** Starts Conductor itself with SCIM enabled over the test database, a SCIM token, and a record of the SCIM events. */
export async function startScimServer(database: TestDatabase, options: { bodyLimitBytes?: number } = {}): Promise<ScimTestServer> {
  const events: RecordedEvent[] = []
  // A known port, so the public URL in SCIM `meta.location` is where the server listens.
  const port = await freePort()
  const app = await startTestApp({
    databaseUrl: database.url, environments: [], scim: { enabled: true }, port,
    ...(options.bodyLimitBytes ? { extraConfig: { server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}`, bodyLimitBytes: options.bodyLimitBytes } } } : {}),
    app: {
      scimObserver: {
        userDeactivated: (user) => { events.push({ event: 'userDeactivated', user }) },
        userReactivated: (user) => { events.push({ event: 'userReactivated', user }) },
        userDeleted: (user) => { events.push({ event: 'userDeleted', user }) },
        membershipsAdded: (user, groups) => { events.push({ event: 'membershipsAdded', user, groups }) },
        membershipsRemoved: (user, groups) => { events.push({ event: 'membershipsRemoved', user, groups }) },
      },
    },
  })
  const address = await app.listen()
  const base = `${address}/scim/v2`
  const { tokens, service } = app.scim!
  const { token } = await tokens.create('test-idp')
  const audit = app.audit
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
