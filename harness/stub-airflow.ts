import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A running stub of Airflow's REST API. */
export interface StubAirflow {
  url: string
  /** Runs created through the stub, by DAG. */
  runs: Map<string, StubRun[]>
  /** Connections, variables and pools as stored, by kind then id (as Airflow's API names them: `connection_id`, `key`, `name`). */
  objects: Record<StubObjectKind, Map<string, Record<string, unknown>>>
  /** A task's log lines by `dag/run/task`, instead of the one-line log every task has otherwise. */
  logs: Map<string, string[]>
  /** With `options.credentials`: the login Airflow accepts now; change `password` to rotate it. */
  credentials: { username: string; password: string } | null
  /** Requests refused with 401 for wrong credentials. */
  refused: number
  /** Every request received, in order: method, path and the W3C `traceparent` header it carried (null without one). */
  received: { method: string; path: string; traceparent: string | null }[]
  /** Airflow 3 only: the events of each asset (`options.assets`), oldest first, as posted through the API or {@link StubAirflow.addAssetEvent}. */
  assetEvents: Map<string, StubAssetEvent[]>
  /** Records an update of an asset as a producing task would (the asset must be one of `options.assets`); answers the event. */
  addAssetEvent(uri: string, event?: Partial<Omit<StubAssetEvent, 'id'>>): StubAssetEvent
  close(): Promise<void>
}

/** An asset event the stub keeps. */
export interface StubAssetEvent {
  id: number
  extra: Record<string, unknown>
  /** ISO 8601; default the wall clock when recorded. */
  timestamp: string
  source_dag_id?: string | null
  source_run_id?: string | null
}

/** The kinds of Airflow object the stub keeps. */
export type StubObjectKind = 'connections' | 'variables' | 'pools'

/** A DAG the stub serves. */
export interface StubDag {
  dagId: string; tags: string[]; owners: string[]; paused?: boolean
  /** Airflow's own schedule as it summarises it (`timetable_summary`), e.g. `0 2 * * *`; none by default. */
  schedule?: string | null
  /** Airflow 3.2+'s `allowed_run_types` (served on `/api/v2` only, null when absent). */
  allowedRunTypes?: string[]
  /** A `team_name`, served on `/api/v2` as a multi-team Airflow might. */
  team?: string
  /** Its params as Airflow's `/dags/{id}/details` serializes them (`{ name: { value, schema, description } }`); without them that route is a 404. */
  params?: Record<string, unknown>
}

/** A run the stub keeps. */
export interface StubRun {
  dag_run_id: string
  conf: unknown
  note: string | null
  queued_at?: string
  /** `queued` unless a test sets it (e.g. `success`, with `end_date`). */
  state?: string
  end_date?: string | null
  logical_date?: string | null
  /** Its task instances (none unless a test adds some); a clear sets the state of those it clears to null. */
  tasks?: { task_id: string; state: string | null }[]
}

/** Airflow masks a variable's value when its key names a secret (part of `DEFAULT_SENSITIVE_FIELDS`). */
const SENSITIVE = /password|secret|passwd|api_key|apikey|access_token|private_key|token|credential/i

const ID_FIELD: Record<StubObjectKind, string> = { connections: 'connection_id', variables: 'key', pools: 'name' }

/**
 * A minimal loopback stand-in for Airflow's REST API: Airflow 3's `/api/v2` (with `/auth/token`) or, with
 * `version: 2`, Airflow 2's `/api/v1` (any credentials accepted). It serves health, version, DAGs, pause,
 * trigger, runs, their task instances (none unless a test sets them), clearing, a one-line log for any task, and
 * connections, variables and pools (list, get, create, patch, delete; connection passwords, and the values of
 * variables whose key names a secret, are answered as `***`, as Airflow masks them). For benchmarks and for integration tests of
 * Conductor's own behaviour; it answers at once and keeps everything in memory. End-to-end tests use the real Airflow.
 */
export async function startStubAirflow(dags: StubDag[], options: {
  version?: 2 | 3
  /**
   * Checks a login, as a real Airflow does: Airflow 2's basic auth on every API call, Airflow 3's `/auth/token` body
   * (the token it gives stays valid). Without it, any credentials are accepted.
   */
  credentials?: { username: string; password: string }
  /** Airflow 3 only: the URIs of its assets (`/api/v2/assets`, `/api/v2/assets/events`); none by default. */
  assets?: string[]
} = {}): Promise<StubAirflow> {
  const credentials = options.credentials ? { ...options.credentials } : null
  let refused = 0
  const v3 = (options.version ?? 3) === 3
  const prefix = v3 ? '/api/v2' : '/api/v1'
  const runs = new Map<string, StubRun[]>()
  const received: StubAirflow['received'] = []
  const objects: StubAirflow['objects'] = { connections: new Map(), variables: new Map(), pools: new Map() }
  const logs = new Map<string, string[]>()
  const assetUris = v3 ? options.assets ?? [] : []
  const assetEvents = new Map<string, StubAssetEvent[]>(assetUris.map((uri) => [uri, []]))
  let assetEventIds = 0
  const addAssetEvent = (uri: string, event: Partial<Omit<StubAssetEvent, 'id'>> = {}): StubAssetEvent => {
    const list = assetEvents.get(uri)
    if (!list) throw new Error(`the stub has no asset ${uri}`)
    const stored = { id: ++assetEventIds, extra: event.extra ?? {}, timestamp: event.timestamp ?? new Date().toISOString(), source_dag_id: event.source_dag_id ?? null, source_run_id: event.source_run_id ?? null }
    list.push(stored)
    return stored
  }
  const assetEventJson = (uri: string, e: StubAssetEvent) => ({
    id: e.id, asset_id: assetUris.indexOf(uri) + 1, uri, extra: e.extra, source_dag_id: e.source_dag_id ?? null, source_run_id: e.source_run_id ?? null,
    source_task_id: null, source_map_index: -1, created_dagruns: [], timestamp: e.timestamp,
  })
  const token = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 86400 })).toString('base64url')}.stub`
  const dagJson = (d: StubDag) => ({
    dag_id: d.dagId, description: null, tags: d.tags.map((name) => ({ name })), owners: d.owners, is_paused: d.paused === true, timetable_summary: d.schedule ?? null,
    ...(v3 ? { allowed_run_types: d.allowedRunTypes ?? null, ...(d.team ? { team_name: d.team } : {}) } : {}),
  })
  const runJson = (dagId: string, r: StubRun) => ({
    dag_id: dagId, dag_run_id: r.dag_run_id, state: r.state ?? 'queued', run_type: 'manual', logical_date: r.logical_date ?? null, queued_at: r.queued_at ?? null, start_date: null, end_date: r.end_date ?? null,
    conf: r.conf, note: r.note, ...(v3 ? { triggered_by: 'rest_api' } : { execution_date: r.queued_at ?? null }),
  })
  const tiJson = (dagId: string, r: StubRun, t: { task_id: string; state: string | null }) => ({
    task_id: t.task_id, dag_id: dagId, dag_run_id: r.dag_run_id, state: t.state, try_number: 1, map_index: -1, start_date: null, end_date: null, duration: null,
  })
  const masked = (kind: StubObjectKind, o: Record<string, unknown>) => ({
    ...o, ...(kind === 'connections' && o.password != null ? { password: '***' } : {}),
    ...(kind === 'variables' && o.value != null && SENSITIVE.test(String(o.key)) ? { value: '***' } : {}),
  })

  function objectsRoute(method: string, kind: StubObjectKind, id: string | undefined, raw: string, url: URL): [number, unknown] {
    const store = objects[kind]
    if (id === undefined && method === 'GET') {
      const all = [...store.values()].sort((a, b) => String(a[ID_FIELD[kind]]).localeCompare(String(b[ID_FIELD[kind]])))
      const offset = Number(url.searchParams.get('offset') ?? 0)
      const page = all.slice(offset, offset + Number(url.searchParams.get('limit') ?? 100)).map((o) => masked(kind, o))
      return [200, { [kind]: page, total_entries: all.length }]
    }
    if (id === undefined && method === 'POST') {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>
      const key = body[ID_FIELD[kind]]
      if (typeof key !== 'string' || key === '') return [422, { detail: [{ loc: ['body', ID_FIELD[kind]], msg: 'Field required', input: body }] }]
      if (store.has(key)) return [409, { detail: `${kind} ${key} already exists` }]
      store.set(key, body)
      return [201, masked(kind, body)]
    }
    const found = id === undefined ? undefined : store.get(id)
    if (!found) return [404, { detail: `The ${kind.slice(0, -1)} with id \`${id}\` was not found` }]
    if (method === 'GET') return [200, masked(kind, found)]
    if (method === 'PATCH') {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>
      const mask = url.searchParams.getAll('update_mask')
      for (const [field, value] of Object.entries(body)) if (mask.length === 0 || mask.includes(field)) found[field] = value
      return [200, masked(kind, found)]
    }
    if (method === 'DELETE') {
      store.delete(id!)
      return [204, null]
    }
    return [405, { detail: 'not supported by the stub' }]
  }

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      if (status === 204) { res.writeHead(204); res.end(); return }
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    let raw = ''
    req.on('data', (c) => { raw += c })
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub')
      const path = url.pathname
      const method = req.method ?? 'GET'
      const traceparent = req.headers.traceparent
      received.push({ method, path, traceparent: typeof traceparent === 'string' ? traceparent : null })
      const loginOk = (login: { username?: unknown; password?: unknown }) => !credentials || (login.username === credentials.username && login.password === credentials.password)
      if (method === 'POST' && path === '/auth/token' && v3) {
        if (!loginOk(JSON.parse(raw || '{}') as Record<string, unknown>)) { refused++; return send(401, { detail: 'Invalid credentials' }) }
        return send(201, { access_token: token })
      }
      if (!v3 && credentials && path.startsWith(`${prefix}/`)) {
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1]
        const [username, ...rest] = Buffer.from(basic ?? '', 'base64').toString('utf8').split(':')
        if (!loginOk({ username, password: rest.join(':') })) { refused++; return send(401, { title: 'Unauthorized', status: 401 }) }
      }
      if (path === (v3 ? '/api/v2/monitor/health' : '/api/v1/health')) return send(200, { metadatabase: { status: 'healthy' }, scheduler: { status: 'healthy' } })
      if (!path.startsWith(`${prefix}/`)) return send(404, { detail: 'not found' })
      const rest = path.slice(prefix.length)
      if (rest === '/version') return send(200, { version: v3 ? '3-stub' : '2-stub' })
      const objectMatch = /^\/(connections|variables|pools)(?:\/([^/]+))?$/.exec(rest)
      if (objectMatch) return send(...objectsRoute(method, objectMatch[1] as StubObjectKind, objectMatch[2] === undefined ? undefined : decodeURIComponent(objectMatch[2]), raw, url))
      // Airflow 3's assets: `uri_pattern` is a substring match; events filter by asset_id and timestamp_gte, ordered by timestamp.
      if (v3 && method === 'GET' && rest === '/assets') {
        const pattern = url.searchParams.get('uri_pattern') ?? ''
        const found = assetUris.filter((uri) => uri.includes(pattern)).map((uri) => ({ id: assetUris.indexOf(uri) + 1, uri, name: uri }))
        return send(200, { assets: found, total_entries: found.length })
      }
      if (v3 && rest === '/assets/events') {
        if (method === 'POST') {
          const body = JSON.parse(raw || '{}') as { asset_id?: number; extra?: Record<string, unknown> }
          const uri = assetUris[(body.asset_id ?? 0) - 1]
          if (!uri) return send(404, { detail: `Asset with ID: \`${body.asset_id}\` was not found` })
          return send(200, assetEventJson(uri, addAssetEvent(uri, { extra: { ...body.extra, from_rest_api: true } })))
        }
        const uri = assetUris[Number(url.searchParams.get('asset_id') ?? 0) - 1]
        const since = url.searchParams.get('timestamp_gte')
        const list = (uri ? assetEvents.get(uri) ?? [] : []).filter((e) => !since || e.timestamp >= since)
        const page = list.slice(0, Number(url.searchParams.get('limit') ?? 100)).map((e) => assetEventJson(uri!, e))
        return send(200, { asset_events: page, total_entries: list.length })
      }
      if (method === 'GET' && rest === '/dags') return send(200, { dags: dags.map(dagJson), total_entries: dags.length })
      const logMatch = /^\/dags\/([^/]+)\/dagRuns\/([^/]+)\/taskInstances\/([^/]+)\/logs\/(\d+)$/.exec(rest)
      if (logMatch && method === 'GET') {
        const known = (runs.get(decodeURIComponent(logMatch[1]!)) ?? []).some((r) => r.dag_run_id === decodeURIComponent(logMatch[2]!))
        if (!known) return send(404, { detail: 'run not found' })
        const lines = logs.get(logMatch.slice(1, 4).map(decodeURIComponent).join('/')) ?? [`stub log of ${decodeURIComponent(logMatch[3]!)}, try ${logMatch[4]}`]
        return send(200, { content: v3 ? lines.map((event) => ({ event })) : lines.map((l) => `${l}\n`).join(''), continuation_token: null })
      }
      const runMatch = /^\/dags\/([^/]+)\/dagRuns\/([^/]+)(\/taskInstances(?:\/([^/]+))?)?$/.exec(rest)
      if (runMatch && method === 'GET') {
        const run = (runs.get(decodeURIComponent(runMatch[1]!)) ?? []).find((r) => r.dag_run_id === decodeURIComponent(runMatch[2]!))
        if (!run) return send(404, { detail: 'run not found' })
        const tasks = (run.tasks ?? []).map((t) => tiJson(decodeURIComponent(runMatch[1]!), run, t))
        if (runMatch[4] !== undefined) {
          const task = tasks.find((t) => t.task_id === decodeURIComponent(runMatch[4]!))
          return task ? send(200, task) : send(404, { detail: 'task instance not found' })
        }
        return send(200, runMatch[3] ? { task_instances: tasks, total_entries: tasks.length } : runJson(decodeURIComponent(runMatch[1]!), run))
      }
      const clearMatch = /^\/dags\/([^/]+)\/clearTaskInstances$/.exec(rest)
      if (clearMatch && method === 'POST') {
        const body = JSON.parse(raw || '{}') as { dag_run_id?: string; dry_run?: boolean; only_failed?: boolean }
        const dagId = decodeURIComponent(clearMatch[1]!)
        const run = (runs.get(dagId) ?? []).find((r) => r.dag_run_id === body.dag_run_id)
        if (!run) return send(404, { detail: 'run not found' })
        const cleared = (run.tasks ?? []).filter((t) => body.only_failed === false || t.state === 'failed' || t.state === 'upstream_failed')
        const answer = cleared.map((t) => tiJson(dagId, run, t))
        if (body.dry_run === false) for (const t of cleared) t.state = null
        return send(200, { task_instances: answer, total_entries: answer.length })
      }
      const detailsMatch = /^\/dags\/([^/]+)\/details$/.exec(rest)
      const detailed = detailsMatch ? dags.find((d) => d.dagId === decodeURIComponent(detailsMatch[1]!) && d.params) : undefined
      if (detailed && method === 'GET') return send(200, { ...dagJson(detailed), params: detailed.params })
      const dagMatch = /^\/dags\/([^/]+)(\/dagRuns)?$/.exec(rest)
      const dag = dagMatch ? dags.find((d) => d.dagId === decodeURIComponent(dagMatch[1]!)) : undefined
      if (!dagMatch || !dag) return send(404, { detail: 'not found' })
      if (!dagMatch[2] && method === 'GET') return send(200, dagJson(dag))
      if (!dagMatch[2] && method === 'PATCH') {
        dag.paused = (JSON.parse(raw || '{}') as { is_paused?: boolean }).is_paused === true
        return send(200, dagJson(dag))
      }
      if (dagMatch[2] && method === 'GET') {
        let list = runs.get(dag.dagId) ?? []
        // Airflow's filters the links poll with: state, end_date_gte, order_by=end_date.
        const state = url.searchParams.get('state')
        const since = url.searchParams.get('end_date_gte')
        if (state) list = list.filter((r) => (r.state ?? 'queued') === state)
        if (since) list = list.filter((r) => r.end_date != null && r.end_date >= since)
        if (url.searchParams.get('order_by') === 'end_date') list = [...list].sort((a, b) => (a.end_date ?? '').localeCompare(b.end_date ?? ''))
        return send(200, { dag_runs: list.map((r) => runJson(dag.dagId, r)), total_entries: list.length })
      }
      if (dagMatch[2] && method === 'POST') {
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
    objects,
    logs,
    credentials,
    get refused() { return refused },
    received,
    assetEvents,
    addAssetEvent,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}
