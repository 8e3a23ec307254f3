import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import type { Clock } from '../core/index.ts'
import { redactSecrets } from './redaction.ts'
import { unavailable } from './remote.ts'

/** AWS credentials as SigV4 signs with them. */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Where {@link createAwsCredentialChain} looks. */
export interface AwsCredentialChainOptions {
  /** The provider's name, for errors. */
  provider: string
  region: string
  stsEndpoint?: string | undefined
  profile?: string | undefined
  timeoutMs: number
  clock: Clock
  /** The process environment as at start. */
  environment: Readonly<Record<string, string | undefined>>
}

/** The standard AWS credential chain, as the SDKs read it; `credentials()` is cheap once resolved. */
export interface AwsCredentialChain {
  /** Current credentials; web identity credentials are renewed five minutes before they expire. */
  credentials(): Promise<AwsCredentials>
  /** Drops held credentials (after AWS refused them), so the next call resolves the chain again. */
  invalidate(): void
}

/**
 * The standard chain: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`; then `AWS_WEB_IDENTITY_TOKEN_FILE` with
 * `AWS_ROLE_ARN` (STS `AssumeRoleWithWebIdentity`, the token file read at each exchange, as EKS rotates it); then the shared
 * credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`), profile `profile` or `AWS_PROFILE` or `default`.
 */
export function createAwsCredentialChain(options: AwsCredentialChainOptions): AwsCredentialChain {
  const env = options.environment
  let held: { credentials: AwsCredentials; refreshAt: number } | null = null
  let inflight: Promise<AwsCredentials> | null = null

  async function resolve(): Promise<{ credentials: AwsCredentials; refreshAt: number }> {
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      return { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }, refreshAt: Infinity }
    }
    if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return webIdentity(env.AWS_WEB_IDENTITY_TOKEN_FILE, env.AWS_ROLE_ARN)
    const file = env.AWS_SHARED_CREDENTIALS_FILE ?? join(env.HOME ?? homedir(), '.aws', 'credentials')
    const profile = options.profile ?? env.AWS_PROFILE ?? 'default'
    const text = await readFile(file, 'utf8').catch(() => null)
    const section = text === null ? null : iniSection(text, profile)
    if (section?.aws_access_key_id && section.aws_secret_access_key) {
      // Re-read the file every five minutes, so rotated keys are picked up.
      return { credentials: { accessKeyId: section.aws_access_key_id, secretAccessKey: section.aws_secret_access_key, ...(section.aws_session_token ? { sessionToken: section.aws_session_token } : {}) }, refreshAt: options.clock.now() + 300_000 }
    }
    throw unavailable(options.provider, 'no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, '
      + `or profile "${profile}" in ${file}`)
  }

  async function webIdentity(tokenFile: string, roleArn: string): Promise<{ credentials: AwsCredentials; refreshAt: number }> {
    const token = (await readFile(tokenFile, 'utf8').catch(() => { throw unavailable(options.provider, `the web identity token file ${tokenFile} cannot be read`) })).trim()
    const endpoint = (options.stsEndpoint ?? `https://sts.${options.region}.amazonaws.com`).replace(/\/+$/, '')
    const body = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: roleArn,
      RoleSessionName: env.AWS_ROLE_SESSION_NAME ?? `conductor-${options.clock.now()}`, WebIdentityToken: token,
    }).toString()
    let status: number
    let text: string
    try {
      const response = await request(`${endpoint}/`, {
        method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/xml' },
        headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, signal: AbortSignal.timeout(options.timeoutMs),
      })
      status = response.statusCode
      text = await response.body.text()
    } catch (error) {
      throw unavailable(options.provider, `STS at ${endpoint} cannot be reached (${(error as { code?: string }).code ?? 'network error'})`)
    }
    const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1]
    const accessKeyId = tag('AccessKeyId')
    const secretAccessKey = tag('SecretAccessKey')
    if (status !== 200 || !accessKeyId || !secretAccessKey) {
      throw unavailable(options.provider, `STS refused AssumeRoleWithWebIdentity for ${roleArn} (${status}: ${redactSecrets(tag('Message') ?? tag('Code') ?? 'no credentials', [token])})`)
    }
    const sessionToken = tag('SessionToken')
    const expires = Date.parse(tag('Expiration') ?? '')
    const now = options.clock.now()
    return {
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
      refreshAt: Number.isFinite(expires) ? Math.max(now + 30_000, expires - 300_000) : now + 600_000,
    }
  }

  return {
    async credentials() {
      if (held && options.clock.now() < held.refreshAt) return held.credentials
      inflight ??= resolve().then((next) => { held = next; return next.credentials }).finally(() => { inflight = null })
      return inflight
    },
    invalidate() { held = null },
  }
}

/** The keys of `[profile]` in an INI file (the shared credentials file). */
function iniSection(text: string, profile: string): Record<string, string> | null {
  let current: string | null = null
  const out: Record<string, string> = {}
  let found = false
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line)
    if (header) { current = header[1]!; if (current === profile) found = true; continue }
    if (current !== profile) continue
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim()
  }
  return found ? out : null
}
