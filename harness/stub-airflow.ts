import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A running stub of Airflow 3's REST API. */
export interface StubAirflow {
  url: string
  /** Runs created through the stub, by DAG. */
  runs: Map<string, StubRun[]>
  close(): Promise<void>
}

/** A run the stub keeps. */
export interface StubRun { dag_run_id: string; conf: unknown; note: string | null; queued_at?: string }

/**
 * A minimal loopback stand-in for Airflow 3 (`/auth/token`, health, version, DAGs, pause, trigger, runs, their (empty) task instances and a one-line log for any task), for
 * benchmarks that measure Conductor's own time without Airflow's. It answers at once and keeps runs in
 * memory. Not a test double for behaviour: integration tests use the real Airflow.
 */
export async function startStubAirflow(dags: { dagId: string; tags: string[]; owners: string[]; paused?: boolean }[]): Promise<StubAirflow> {
  const runs = new Map<string, StubRun[]>()
  const token = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 86400 })).toString('base64url')}.stub`
  const dagJson = (d: { dagId: string; tags: string[]; owners: string[]; paused?: boolean }) => ({
    dag_id: d.dagId, description: null, tags: d.tags.map((name) => ({ name })), owners: d.owners, is_paused: d.paused === true, timetable_summary: null,
  })
  const runJson = (dagId: string, r: StubRun) => ({
    dag_id: dagId, dag_run_id: r.dag_run_id, state: 'queued', run_type: 'manual', logical_date: null, queued_at: r.queued_at ?? null, start_date: null, end_date: null,
    conf: r.conf, note: r.note, triggered_by: 'rest_api',
  })
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    let raw = ''
    req.on('data', (c) => { raw += c })
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub')
      const path = url.pathname
      if (req.method === 'POST' && path === '/auth/token') return send(201, { access_token: token })
      if (path === '/api/v2/monitor/health') return send(200, { metadatabase: { status: 'healthy' }, scheduler: { status: 'healthy' } })
      if (path === '/api/v2/version') return send(200, { version: '3-stub' })
      if (req.method === 'GET' && path === '/api/v2/dags') return send(200, { dags: dags.map(dagJson), total_entries: dags.length })
      const logMatch = /^\/api\/v2\/dags\/([^/]+)\/dagRuns\/([^/]+)\/taskInstances\/([^/]+)\/logs\/(\d+)$/.exec(path)
      if (logMatch && req.method === 'GET') {
        const known = (runs.get(decodeURIComponent(logMatch[1]!)) ?? []).some((r) => r.dag_run_id === decodeURIComponent(logMatch[2]!))
        if (!known) return send(404, { detail: 'run not found' })
        return send(200, { content: [{ event: `stub log of ${decodeURIComponent(logMatch[3]!)}, try ${logMatch[4]}` }], continuation_token: null })
      }
      const runMatch = /^\/api\/v2\/dags\/([^/]+)\/dagRuns\/([^/]+)(\/taskInstances)?$/.exec(path)
      if (runMatch && req.method === 'GET') {
        const run = (runs.get(decodeURIComponent(runMatch[1]!)) ?? []).find((r) => r.dag_run_id === decodeURIComponent(runMatch[2]!))
        if (!run) return send(404, { detail: 'run not found' })
        return send(200, runMatch[3] ? { task_instances: [], total_entries: 0 } : runJson(decodeURIComponent(runMatch[1]!), run))
      }
      const dagMatch = /^\/api\/v2\/dags\/([^/]+)(\/dagRuns)?$/.exec(path)
      const dag = dagMatch ? dags.find((d) => d.dagId === decodeURIComponent(dagMatch[1]!)) : undefined
      if (!dagMatch || !dag) return send(404, { detail: 'not found' })
      if (!dagMatch[2] && req.method === 'GET') return send(200, dagJson(dag))
      if (!dagMatch[2] && req.method === 'PATCH') {
        dag.paused = (JSON.parse(raw || '{}') as { is_paused?: boolean }).is_paused === true
        return send(200, dagJson(dag))
      }
      if (dagMatch[2] && req.method === 'GET') {
        const list = runs.get(dag.dagId) ?? []
        return send(200, { dag_runs: list.map((r) => runJson(dag.dagId, r)), total_entries: list.length })
      }
      if (dagMatch[2] && req.method === 'POST') {
        const body = JSON.parse(raw || '{}') as { dag_run_id: string; conf?: unknown; note?: string | null }
        const list = runs.get(dag.dagId) ?? []
        if (list.some((r) => r.dag_run_id === body.dag_run_id)) return send(409, { detail: 'exists' })
        list.push({ dag_run_id: body.dag_run_id, conf: body.conf ?? {}, note: body.note ?? null, queued_at: new Date().toISOString() })
        runs.set(dag.dagId, list)
        return send(200, runJson(dag.dagId, list.at(-1)!))
      }
      return send(405, { detail: 'not supported by the stub' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    runs,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}
