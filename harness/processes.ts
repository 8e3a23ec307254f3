/** Helpers for the real servers tests start: process groups, bounded waits, free ports. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { createServer } from 'node:net'
import { eventually } from './poll.ts'

/** Stops a process group started detached: SIGTERM, then SIGKILL after a grace period. */
export async function stopGroup(child: ChildProcess, exitPromise: Promise<void>, hasExited: () => boolean): Promise<void> {
  const pid = child.pid
  if (pid === undefined) return
  const signalGroup = (signal: NodeJS.Signals) => { try { process.kill(-pid, signal) } catch { /* already gone */ } }
  const groupAlive = () => { try { process.kill(-pid, 0); return true } catch { return false } }
  // Stopping is best effort: a group that outlives its grace period is killed, not reported.
  const settled = (check: () => boolean, what: string, timeoutMs: number) => eventually(check, { what, timeoutMs, intervalMs: 100 }).catch(() => false)
  signalGroup('SIGTERM')
  await settled(() => hasExited() && !groupAlive(), `process group ${pid} to exit after SIGTERM`, 10_000)
  if (groupAlive()) signalGroup('SIGKILL')
  if (!hasExited()) await Promise.race([exitPromise, delay(5_000)])
  await settled(() => !groupAlive(), `process group ${pid} to be gone after SIGKILL`, 5_000)
}

/** Thrown by {@link waitFor}'s check when the process group has exited: waiting longer cannot help. */
class ProcessExited extends Error {}

/**
 * Polls `check` (through {@link eventually}) until it yields true or `deadline` (epoch ms) passes; fails at once,
 * with the log tail, if the process group exited, and at once, as thrown, on an error starting
 * "Airflow could not import". `label` names the process group, `what` the awaited state.
 */
export async function waitFor(label: string, what: string, deadline: number, logFile: string, exited: () => { code: number | null; signal: string | null } | undefined, check: () => Promise<boolean>): Promise<void> {
  const importFailed = (error: unknown) => error instanceof Error && error.message.startsWith('Airflow could not import')
  try {
    await eventually(async () => {
      const gone = exited()
      if (gone) throw new ProcessExited(`${label} exited (code ${gone.code}, signal ${gone.signal}) while waiting for ${what}.`)
      return check()
    }, { what, timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 500, fatal: (error) => error instanceof ProcessExited || importFailed(error) })
  } catch (error) {
    if (importFailed(error)) throw error
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await logTail(logFile)}`, { cause: error })
  }
}

/** The last lines of a log file, for error messages. */
export async function logTail(logFile: string, lines = 40): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '')
  return `--- last ${lines} lines of ${logFile} ---\n${text.split('\n').slice(-lines).join('\n')}`
}

/** GETs JSON with an optional Authorization header value; throws on a non-2xx answer. */
export async function getJson(url: string, authorization?: string): Promise<unknown> {
  const response = await fetch(url, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(5_000) })
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`)
  return response.json()
}

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))))
    })
  })
}

/** A server process a test started: detached in its own process group, its output in a log file. */
export interface ServerProcess {
  logFile: string
  /** Stops the process group (SIGTERM, then SIGKILL) and closes the log. */
  stop(): Promise<void>
}

/**
 * Spawns `command` detached with `env` only, its stdout and stderr into `logFile`, and waits up to 60 s until a GET of
 * `healthUrl` answers 200. When it does not (or the process exits), stops the group and throws with the log's tail.
 */
export async function startServerProcess(label: string, command: string, args: string[], options: { env: NodeJS.ProcessEnv; logFile: string; healthUrl: string }): Promise<ServerProcess> {
  const log = createWriteStream(options.logFile)
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env })
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  let exited: { code: number | null; signal: string | null } | undefined
  const exit = new Promise<void>((done) => child.once('exit', (code, signal) => { exited = { code, signal }; done() }))
  const stop = async () => {
    await stopGroup(child, exit, () => exited !== undefined)
    log.end()
  }
  try {
    await waitFor(label, `${label} to answer`, Date.now() + 60_000, options.logFile, () => exited, async () => {
      const response = await fetch(options.healthUrl, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined)
      await response?.body?.cancel()
      return response?.status === 200
    })
  } catch (error) {
    await stop()
    throw error
  }
  return { logFile: options.logFile, stop }
}
