import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Metrics } from './metrics.ts'

/** What a failed call is counted as: a `ConductorError`'s code, else `error`. */
export function outcomeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : 'error'
}

/**
 * The same object, whose promise-returning methods report each call to `onCall` (the method's name, `ok` or the
 * error's {@link outcomeOf}, seconds taken). Only the methods named in `only` are timed when it is given; those in
 * `passThrough` are left alone; `rewrap` hands a method's result (sync or not) to a function whose return is the
 * caller's: to instrument an object a method returns (an orchestrator bound to a person) or to look at a result (a
 * decision). Nothing else changes: arguments, results and errors are those of `target`.
 */
export function timeCalls<T extends object>(target: T, onCall: (method: string, outcome: string, seconds: number) => void, options: {
  only?: readonly string[]
  passThrough?: readonly string[]
  rewrap?: Partial<Record<string, (result: unknown) => unknown>>
} = {}): T {
  const only = options.only ? new Set(options.only) : null
  const passThrough = new Set(options.passThrough ?? [])
  const cache = new Map<PropertyKey, unknown>()
  return new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver)
      if (typeof value !== 'function' || typeof key !== 'string' || passThrough.has(key)) return value
      const cached = cache.get(key)
      if (cached) return cached
      const fn = value as (...args: unknown[]) => unknown
      const rewrap = options.rewrap?.[key]
      if (!rewrap && only && !only.has(key)) return value
      const wrapped = rewrap
        ? (...args: unknown[]) => rewrap(fn.apply(object, args))
        : (...args: unknown[]) => {
          const started = performance.now()
          const result = fn.apply(object, args)
          if (!(result instanceof Promise)) return result
          return result.then(
            (ok: unknown) => { onCall(key, 'ok', (performance.now() - started) / 1000); return ok },
            (error: unknown) => { onCall(key, outcomeOf(error), (performance.now() - started) / 1000); throw error },
          )
        }
      cache.set(key, wrapped)
      return wrapped
    },
  })
}

/** The separate metrics listener (`metrics.port`): `GET /metrics` without authentication, meant for loopback. */
export interface MetricsServer {
  /** `http://host:port`, the port actually bound. */
  readonly url: string
  close(): Promise<void>
}

/**
 * Serves `GET /metrics` (and nothing else: 404; other methods 405) on `host:port` without authentication. Bind it to
 * 127.0.0.1 (the default) or a network only the Prometheus server reaches.
 */
export async function startMetricsServer(options: { metrics: Pick<Metrics, 'scrape'>; host: string; port: number }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics') { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'); return }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n'); return }
    options.metrics.scrape().then(
      ({ contentType, body }) => { res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body) },
      () => { res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n') },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => { server.off('error', reject); resolve() })
  })
  const { port } = server.address() as AddressInfo
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}
