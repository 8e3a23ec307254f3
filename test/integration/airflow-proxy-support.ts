import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { startTestApp, TEST_USERS, type TestEnvironment } from '../../harness/app.ts'
import type { Engine, TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow, type StubDag } from '../../harness/stub-airflow.ts'

const PROJECT_POLICIES = new URL('../../policies', import.meta.url).pathname

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
 * (Airflow 3, or Airflow 2 with `version: 2`), under the project's policies plus `extraPolicy` (Cedar text) when
 * given, syncs the catalog, and closes everything after the suite.
 */
export function useProxyApp(engine: Engine, dags: StubDag[], options: { version?: 2 | 3; environment?: Partial<TestEnvironment>; extraPolicy?: string } = {}): ProxyFixture {
  const version = options.version ?? 3
  const api = `/airflow/local/api/${version === 3 ? 'v2' : 'v1'}`
  let database: TestDatabase
  let policyFolder: string | undefined
  const fixture = {
    call: (method, path, token, payload, headers = {}) => fixture.app.server.inject({
      method, url: `${api}${path}`, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, ...(payload ? { payload } : {}),
    }),
  } as ProxyFixture
  before(async () => {
    database = await engine.open()
    fixture.stub = await startStubAirflow(dags, { version })
    if (options.extraPolicy) {
      policyFolder = await mkdtemp(join(tmpdir(), 'conductor-proxy-policies-'))
      await cp(PROJECT_POLICIES, policyFolder, { recursive: true })
      await writeFile(join(policyFolder, 'extra.cedar'), options.extraPolicy)
    }
    fixture.app = await startTestApp({
      databaseUrl: database.url,
      ...(policyFolder ? { policyFolder } : {}),
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
    if (policyFolder) await rm(policyFolder, { recursive: true, force: true })
  })
  return fixture
}
