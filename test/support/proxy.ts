import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A loopback HTTP proxy in front of one server, which a test can take down or make lose answers. */
export interface FaultyProxy {
  /** Where callers reach the target through the proxy, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Stops listening and cuts open connections: the port refuses connections until {@link up}. */
  down(): Promise<void>
  /** Listens again on the same port. */
  up(): Promise<void>
  /**
   * From now on, requests `when` matches reach the target, whose whole answer is read and dropped, and then the
   * caller's connection is cut: the target acted, the caller never hears of it. `undefined` ends this.
   */
  loseAnswers(when: ((method: string, path: string) => boolean) | undefined): void
  close(): Promise<void>
}

/** Starts a {@link FaultyProxy} on a free loopback port, forwarding everything to `target` (an origin URL). */
export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const upstream = new URL(target)
  const prefix = upstream.pathname.replace(/\/+$/, '')
  let losing: ((method: string, path: string) => boolean) | undefined

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const lose = losing?.(req.method ?? 'GET', req.url ?? '/') ?? false
    const out = request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: `${prefix}${req.url ?? '/'}`, headers: { ...req.headers, host: upstream.host },
    }, (answer) => {
      if (lose) {
        answer.resume()
        answer.once('end', () => req.socket.destroy())
        return
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.once('error', () => req.socket.destroy())
    req.pipe(out)
  }

  const server = createServer(forward)
  let port = 0
  const listen = () => new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      port = (server.address() as AddressInfo).port
      resolve()
    })
  })
  const stop = () => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
  await listen()
  return {
    url: `http://127.0.0.1:${port}`,
    down: stop,
    up: listen,
    loseAnswers: (when) => { losing = when },
    close: async () => { if (server.listening) await stop() },
  }
}
