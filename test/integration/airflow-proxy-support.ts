import { after, before } from 'node:test'
import { startTestApp, TEST_USERS, type TestEnvironment } from '../../harness/app.ts'
import type { Engine, TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow, type StubDag } from '../../harness/stub-airflow.ts'

/** A platform administrator (group `platform-admins`), besides the test app's usual users. */
export const ADMIN = { username: 'dana', name: 'Dana Admin', email: 'dana@example.com', groups: ['platform-admins'] }

/** What {@link useProxyApp} starts for a suite: the stub Airflow, Conductor in front of it, and callers' tokens. */
export interface ProxyFixture {
  stub: StubAirflow
  app: Awaited<ReturnType<typeof startTestApp>>
  /** Bearer tokens: alice (data-eng), bob (analysts), dana (platform-admins). */
  tokens: { alice: string; bob: string; dana: string }
  /** Calls `path` below `/airflow/local/api/<version>` as the holder of `token` (none: no Authorization header). */
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, token: string | null, payload?: object, headers?: Record<string, string>): ReturnType<ProxyFixture['app']['server']['inject']>
}

/**
 * Starts, for the current suite, a stub Airflow with `dags` and a Conductor whose environment `local` is that stub
 * (Airflow 3, or Airflow 2 with `version: 2`), syncs the catalog, and closes everything after the suite.
 */
export function useProxyApp(engine: Engine, dags: StubDag[], options: { version?: 2 | 3; environment?: Partial<TestEnvironment> } = {}): ProxyFixture {
  const version = options.version ?? 3
  const api = `/airflow/local/api/${version === 3 ? 'v2' : 'v1'}`
  let database: TestDatabase
  const fixture = {
    call: (method, path, token, payload, headers = {}) => fixture.app.server.inject({
      method, url: `${api}${path}`, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, ...(payload ? { payload } : {}),
    }),
  } as ProxyFixture
  before(async () => {
    database = await engine.open()
    fixture.stub = await startStubAirflow(dags, { version })
    fixture.app = await startTestApp({
      databaseUrl: database.url,
      environments: [{ name: 'local', url: fixture.stub.url, ...(version === 2 ? { kind: 'airflow2' } : {}), ...options.environment }],
      extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users: [...TEST_USERS, ADMIN] } } },
    })
    await fixture.app.governance.catalog.syncAll()
    fixture.tokens = { alice: await fixture.app.tokenFor('alice'), bob: await fixture.app.tokenFor('bob'), dana: await fixture.app.tokenFor('dana') }
  })
  after(async () => {
    await fixture.app?.close()
    await fixture.stub?.close()
    await database?.close()
  })
  return fixture
}
