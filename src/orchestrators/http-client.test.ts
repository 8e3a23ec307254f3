import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, describe, it } from 'node:test'
import { Agent } from 'undici'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, isConductorError } from '../core/index.ts'
import { createAirflowHttp, type AuthStrategy } from './http-client.ts'

// Real sockets on loopback: whether a failed call reached Airflow is what undici saw on the wire.

const noAuth: AuthStrategy = { headers: async () => ({}), refreshable: false, invalidate: () => {}, sensitiveValues: () => [] }

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = []
  const server = createServer((req, res) => { seen.push(`${req.method} ${req.url}`); handler(req, res) })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()) }),
  }
}

describe('Airflow HTTP layer: did a failed call reach Airflow (details.sent)?', () => {
  const agent = new Agent({ keepAliveTimeout: 1_000 })
  after(() => agent.close())
  const http = (url: string, timeoutMs = 2_000) => createAirflowHttp({
    env: { name: 'prod-eu', kind: 'airflow3', url, timeoutMs, retries: 0 } as EnvironmentConfig, dispatcher: agent,
  })
  const trigger = { method: 'POST', path: '/api/v2/dags/etl/dagRuns', body: { dag_run_id: 'conductor__r1' }, idempotent: false } as const
  const rejectsWith = (call: Promise<unknown>, sent: unknown, extra: (e: ConductorError) => boolean = () => true) =>
    assert.rejects(call, (e) => {
      assert.ok(isConductorError(e, 'orchestrator_unavailable'), String(e))
      assert.equal(e.details?.sent, sent, JSON.stringify(e.details))
      return extra(e)
    })

  it('connection refused: never sent', async () => {
    const gone = await serve(() => {})
    await gone.close()
    await rejectsWith(http(gone.url).call(trigger, noAuth), false, (e) => e.details?.reason === 'ECONNREFUSED')
  })

  it('Airflow read the call and the connection was cut before any answer: outcome unknown', async () => {
    const airflow = await serve((req) => { req.resume(); req.once('end', () => req.socket.destroy()) })
    try {
      await rejectsWith(http(airflow.url).call(trigger, noAuth), 'unknown')
      assert.deepEqual(airflow.seen, ['POST /api/v2/dags/etl/dagRuns'])
    } finally { await airflow.close() }
  })

  it('Airflow took the call and never answered in time: outcome unknown', async () => {
    const airflow = await serve(() => { /* holds the call */ })
    try {
      await rejectsWith(http(airflow.url, 300).call(trigger, noAuth), 'unknown', (e) => e.details?.reason === 'timeout')
      assert.equal(airflow.seen.length, 1)
    } finally { await airflow.close() }
  })

  it('Airflow answered 500: sent, with the status', async () => {
    const airflow = await serve((_req, res) => { res.writeHead(500, { 'content-type': 'application/json' }).end('{"detail":"database is locked"}') })
    try {
      await rejectsWith(http(airflow.url).call(trigger, noAuth), true, (e) => e.details?.status === 500)
    } finally { await airflow.close() }
  })

  it('an idempotent call whose first try may have reached Airflow stays unknown when a retry is refused a connection', async () => {
    const airflow = await serve((req) => { req.resume(); req.once('end', () => req.socket.destroy()) })
    const pause = { method: 'PATCH', path: '/api/v2/dags/etl', body: { is_paused: true }, idempotent: true } as const
    // The retry warning marks the moment between the two tries: Airflow goes away there.
    const client = createAirflowHttp({
      env: { name: 'prod-eu', kind: 'airflow3', url: airflow.url, timeoutMs: 2_000, retries: 1 } as EnvironmentConfig, dispatcher: agent, retryBaseMs: 1,
      logger: { warn: () => { void airflow.close() } } as never,
    })
    await rejectsWith(client.call(pause, noAuth), 'unknown', (e) => e.details?.reason === 'ECONNREFUSED')
    assert.deepEqual(airflow.seen, ['PATCH /api/v2/dags/etl'])
  })

  it('no credential for the call (the token request failed): the call itself was never sent', async () => {
    const airflow = await serve((_req, res) => { res.writeHead(201).end('{}') })
    const tokenLost: AuthStrategy = {
      ...noAuth,
      headers: async () => { throw new ConductorError('orchestrator_unavailable', 'token endpoint lost', { details: { environment: 'prod-eu', sent: 'unknown' } }) },
    }
    try {
      await rejectsWith(http(airflow.url).call(trigger, tokenLost), false)
      assert.deepEqual(airflow.seen, [])
    } finally { await airflow.close() }
  })
})
