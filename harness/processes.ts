/** Helpers for the real servers tests start: process groups, bounded waits, free ports. */
import type { ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { createServer } from 'node:net'

/** Stops a process group started detached: SIGTERM, then SIGKILL after a grace period. */
export async function stopGroup(child: ChildProcess, exitPromise: Promise<void>, hasExited: () => boolean): Promise<void> {
  const pid = child.pid
  if (pid === undefined) return
  const signalGroup = (signal: NodeJS.Signals) => { try { process.kill(-pid, signal) } catch { /* already gone */ } }
  const groupAlive = () => { try { process.kill(-pid, 0); return true } catch { return false } }
  signalGroup('SIGTERM')
  const until = Date.now() + 10_000
  while (Date.now() < until && (!hasExited() || groupAlive())) await delay(200)
  if (groupAlive()) signalGroup('SIGKILL')
  if (!hasExited()) await Promise.race([exitPromise, delay(5_000)])
  const killedAt = Date.now()
  while (groupAlive() && Date.now() - killedAt < 5_000) await delay(100)
}

/** Polls `check` until true or `deadline`; fails early, with the log tail, if the process group exited. `label` names it. */
export async function waitFor(label: string, what: string, deadline: number, logFile: string, exited: () => { code: number | null; signal: string | null } | undefined, check: () => Promise<boolean>): Promise<void> {
  let lastError: unknown
  for (;;) {
    const gone = exited()
    if (gone) throw new Error(`${label} exited (code ${gone.code}, signal ${gone.signal}) while waiting for ${what}.\n${await logTail(logFile)}`)
    try {
      if (await check()) return
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('Airflow could not import')) throw error
      lastError = error
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what} (last error: ${lastError instanceof Error ? lastError.message : 'none'}).\n${await logTail(logFile)}`)
    }
    await delay(500)
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
