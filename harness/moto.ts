/**
 * moto's server (a local AWS: IAM, STS, Secrets Manager) on loopback for the AWS tests, with IAM authentication on: after the
 * first `freeRequests` calls (the set-up: users, roles, keys), every request's SigV4 signature is checked against
 * the keys moto issued and its IAM policies are enforced, so a tampered signed request really fails at STS.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import aws4 from 'aws4'
import { freePort, logTail, startServerProcess } from './processes.ts'

const run = promisify(execFile)

/** Credentials of a principal in moto. */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:PORT/` — the STS (and IAM) endpoint. */
  url: string
  /** Calls an AWS query API (`iam` or `sts`) signed with `credentials` (or unsigned-but-authorised test keys during set-up). */
  call(service: 'iam' | 'sts', params: Record<string, string>, credentials?: AwsCredentials): Promise<{ status: number; text: string }>
  /** Calls Secrets Manager's JSON API (`action` e.g. `CreateSecret`) signed with `credentials` (or the set-up keys); throws on a non-2xx answer. */
  secretsManager(action: string, body: Record<string, unknown>, credentials?: AwsCredentials): Promise<Record<string, unknown>>
  stop(): Promise<void>
}

/** The venv with moto (scripts/moto-venv.sh builds it once). */
export async function motoVenv(): Promise<string> {
  const { stdout } = await run('bash', [join(import.meta.dirname, '..', 'scripts', 'moto-venv.sh')], { maxBuffer: 10 * 1024 * 1024 })
  return stdout.trim().split('\n').at(-1)!
}

const SETUP_CREDENTIALS: AwsCredentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

/** Starts `moto_server` on a free loopback port; IAM authentication turns on after `freeRequests` requests. */
export async function startMoto(options: { freeRequests?: number } = {}): Promise<MotoServer> {
  const venv = await motoVenv()
  const port = await freePort()
  const logFile = join(await mkdtemp(join(tmpdir(), 'moto-')), 'moto.log')
  const url = `http://127.0.0.1:${port}/`
  const server = await startServerProcess('moto_server', join(venv, 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), INITIAL_NO_AUTH_ACTION_COUNT: String(options.freeRequests ?? 1_000_000), MOTO_ACCOUNT_ID: '123456789012' },
    logFile, healthUrl: `${url}moto-api/`,
  })
  return {
    url,
    async call(service, params, credentials = SETUP_CREDENTIALS) {
      const body = new URLSearchParams({ Version: service === 'iam' ? '2010-05-08' : '2011-06-15', ...params }).toString()
      const signed = aws4.sign({
        host: `127.0.0.1:${port}`, path: '/', method: 'POST', service, region: 'us-east-1', body,
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      }, credentials)
      const response = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body, signal: AbortSignal.timeout(10_000) })
      return { status: response.status, text: await response.text() }
    },
    async secretsManager(action, payload, credentials = SETUP_CREDENTIALS) {
      const body = JSON.stringify(payload)
      const signed = aws4.sign({
        host: `127.0.0.1:${port}`, path: '/', method: 'POST', service: 'secretsmanager', region: 'us-east-1', body,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${action}` },
      }, credentials)
      const response = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body, signal: AbortSignal.timeout(10_000) })
      const text = await response.text()
      if (!response.ok) throw new Error(`moto secretsmanager ${action} answered ${response.status}: ${text.slice(0, 300)}`)
      return text ? JSON.parse(text) as Record<string, unknown> : {}
    },
    stop: server.stop,
  }
}

/** Reads `<tag>` from an AWS XML answer. */
export function xmlValue(xml: string, tag: string): string {
  const value = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1]
  if (value === undefined) throw new Error(`no <${tag}> in AWS answer: ${xml.slice(0, 400)}`)
  return value
}

export { logTail }
