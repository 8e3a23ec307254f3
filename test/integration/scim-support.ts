/* eslint-disable @typescript-eslint/no-explicit-any -- SCIM answers are JSON read field by field; the assertions check their shape */
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import type { AuditLog } from '../../src/audit/index.ts'
import type { ScimEvents, ScimService, ScimTokenStore, ScimUserSummary } from '../../src/identity/index.ts'
import { freePort, startTestApp } from '../../harness/app.ts'
import type { Engine, TestDatabase } from '../../harness/databases.ts'

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'

/** `filter=<encoded>` for a query string. */
export const q = (filter: string): string => `filter=${encodeURIComponent(filter)}`
/** A SCIM PatchOp body. */
export const patch = (...Operations: unknown[]): { schemas: string[]; Operations: unknown[] } => ({ schemas: [PATCH], Operations })

/** Asserts a SCIM error answer: the status, the Error schema, a detail, and `scimType` when given. */
export function assertScimError(res: { status: number; body: any }, status: number, scimType?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body))
  assert.deepEqual(res.body.schemas, [ERROR])
  assert.equal(res.body.status, String(status))
  if (scimType) assert.equal(res.body.scimType, scimType, res.body.detail)
  assert.equal(typeof res.body.detail, 'string')
}

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
  /** A fresh token of one of the development issuer's users (`alice`, `bob`, `carol`), as they would sign in. */
  tokenFor(username: string): Promise<string>
  /** GET `path` of Conductor's own API (e.g. `/api/v1/me`) with `bearer`; resolves with the status. */
  apiStatus(path: string, bearer: string): Promise<number>
  close(): Promise<void>
}

/** A {@link ScimTestServer} for one suite, with the database under it and a way to create users. */
export interface ScimSuiteServer extends ScimTestServer {
  database: TestDatabase
  /** POSTs an active user (plus `extra` attributes), asserts 201, and resolves with the created resource. */
  createUser(userName: string, extra?: Record<string, unknown>): Promise<{ id: string; meta: { version: string; lastModified: string } } & Record<string, any>>
}

/**
 * Registers `before`/`after` hooks on the enclosing suite that start a SCIM server over a fresh database of `engine`
 * and stop it again. The handle is usable inside tests (not before the hooks ran): it reads the server that is live.
 */
export function scimServerFor(engine: Engine, options: { bodyLimitBytes?: number } = {}): ScimSuiteServer {
  let database: TestDatabase | undefined
  let server: ScimTestServer | undefined
  before(async () => {
    database = await engine.open()
    server = await startScimServer(database, options)
  })
  after(async () => {
    await server?.close()
    await database?.close()
  })
  const live = (): ScimTestServer => {
    if (!server) throw new Error('the SCIM server starts in the suite\'s before hook')
    return server
  }
  return {
    get base() { return live().base },
    get token() { return live().token },
    get tokens() { return live().tokens },
    get service() { return live().service },
    get audit() { return live().audit },
    get events() { return live().events },
    get database() { live(); return database! },
    call: (method, path, callOptions) => live().call(method, path, callOptions),
    tokenFor: (username) => live().tokenFor(username),
    apiStatus: (path, bearer) => live().apiStatus(path, bearer),
    close: () => live().close(),
    async createUser(userName, extra = {}) {
      const res = await live().call('POST', '/Users', { body: { schemas: [USER], userName, active: true, ...extra } })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      return res.body
    },
  }
}

/** Starts Conductor itself with SCIM enabled over the test database, a SCIM token, and a record of the SCIM events. */
async function startScimServer(database: TestDatabase, options: { bodyLimitBytes?: number } = {}): Promise<ScimTestServer> {
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
    tokenFor: (username) => app.tokenFor(username),
    async apiStatus(path, bearer) {
      const res = await fetch(`${address}${path}`, { headers: { authorization: `Bearer ${bearer}` } })
      await res.body?.cancel()
      return res.status
    },
    async close() {
      await app.close()
    },
  }
}
