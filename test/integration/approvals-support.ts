import { after, before } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import type { Engine, TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import type { AppOptions } from '../../src/app.ts'

/** What an approvals suite works with: a database, a stub Airflow with a `sensitive` DAG `payroll`, and a Conductor over both. */
export interface ApprovalsFixture {
  database: TestDatabase
  stub: StubAirflow
  app: Awaited<ReturnType<typeof startTestApp>>
  /** Starts another Conductor on the same database and Airflow (a restart, or a second replica); the caller closes it. */
  start(): ReturnType<typeof startTestApp>
}

/**
 * For the current suite: opens `engine`, starts a stub Airflow serving `payroll` (tagged `sensitive`) and `etl_daily`
 * (tagged `team:data-eng`), and a Conductor over them with `policyFolder` (default: the project's policies); closes
 * everything after the suite.
 */
export function useApprovalsApp(engine: Engine, options: { policyFolder?: () => string; app?: AppOptions } = {}): ApprovalsFixture {
  const fixture = {} as ApprovalsFixture
  fixture.start = () => startTestApp({
    databaseUrl: fixture.database.url, environments: [{ name: 'local', url: fixture.stub.url, retries: 0 }],
    ...(options.policyFolder ? { policyFolder: options.policyFolder() } : {}), ...(options.app ? { app: options.app } : {}),
  })
  before(async () => {
    fixture.database = await engine.open()
    fixture.stub = await startStubAirflow([{ dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }, { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    fixture.app = await fixture.start()
  })
  after(async () => {
    await fixture.app?.close()
    await fixture.stub?.close()
    await fixture.database?.close()
  })
  return fixture
}
