import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { Agent, request } from 'undici'
import type { SecretRef, VaultProviderConfig } from '../config/index.ts'
import type { Clock } from '../core/index.ts'
import { redactSecrets } from './redaction.ts'
import { parseSecretName, providerError, unavailable } from './remote.ts'
import type { SecretsProvider, SecretVersion } from './secrets-provider.ts'

/** Options of {@link createVaultSecretsProvider}. */
export interface VaultSecretsProviderOptions {
  config: Omit<VaultProviderConfig, 'maxStaleSeconds'>
  clock: Clock
  /** The process environment as at start (for `auth.tokenEnv`). */
  environment: Readonly<Record<string, string | undefined>>
  /** Reads the AppRole secret ID from its (file) provider. */
  getSecret: (ref: SecretRef) => Promise<string>
}

interface LoginToken {
  token: string
  /** When to renew (or sign in again): two thirds into the lease; Infinity for a token that does not expire. */
  renewAt: number
  expiresAt: number
  renewable: boolean
}

interface VaultAnswer { status: number; body: Record<string, unknown> | null }

/**
 * A secrets provider over HashiCorp Vault's or OpenBao's KV version 2 engine. A secret named `app/airflow#password`
 * is field `password` of the secret at `app/airflow` under `mount` (field default `value`); its version is the
 * KV version. Conductor signs in with a token, AppRole or a Kubernetes service-account JWT; the login token is
 * renewed (`renew-self`) two thirds into its lease, and when renewal fails or Vault refuses it, Conductor signs
 * in again. Vault unreachable, 5xx or a failed sign-in are `secret_unavailable` (the cache keeps the last good value).
 */
export function createVaultSecretsProvider(options: VaultSecretsProviderOptions): SecretsProvider {
  const { config, clock } = options
  const name = config.name
  const base = config.address.replace(/\/+$/, '')
  const dispatcher = new Agent({ connect: config.caFile ? { ca: readFileSync(config.caFile, 'utf8') } : {}, keepAliveTimeout: 10_000 })
  let login: LoginToken | null = null
  let loggingIn: Promise<LoginToken> | null = null
  let timer: NodeJS.Timeout | null = null
  let closed = false

  async function call(method: 'GET' | 'POST', path: string, token: string | null, body?: unknown, sensitive: string[] = []): Promise<VaultAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (token) headers['x-vault-token'] = token
    if (config.namespace) headers['x-vault-namespace'] = config.namespace
    if (body !== undefined) headers['content-type'] = 'application/json'
    try {
      const response = await request(`${base}/v1/${path}`, {
        method, headers, dispatcher, body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs, signal: AbortSignal.timeout(config.timeoutMs),
      })
      const text = await response.body.text()
      let parsed: Record<string, unknown> | null = null
      try { parsed = text ? JSON.parse(text) as Record<string, unknown> : null } catch { parsed = null }
      return { status: response.statusCode, body: parsed }
    } catch (error) {
      const reason = redactSecrets(error instanceof Error ? error.message : String(error), [token, ...sensitive])
      throw unavailable(name, `Vault at ${base} cannot be reached (${(error as { code?: string }).code ?? reason})`)
    }
  }

  function vaultErrors(answer: VaultAnswer): string {
    const errors = Array.isArray(answer.body?.errors) ? (answer.body.errors as unknown[]).map(String).join('; ') : ''
    return (errors || `HTTP ${answer.status}`).slice(0, 300)
  }

  async function signIn(): Promise<LoginToken> {
    const auth = config.auth
    if (auth.method === 'token') {
      const token = auth.tokenFile
        ? (await readFile(auth.tokenFile, 'utf8').catch(() => { throw unavailable(name, `the Vault token file ${auth.tokenFile} cannot be read`) })).trim()
        : options.environment[auth.tokenEnv ?? 'VAULT_TOKEN'] ?? ''
      if (token === '') throw unavailable(name, `no Vault token (${auth.tokenFile ? `file ${auth.tokenFile} is empty` : `environment variable ${auth.tokenEnv ?? 'VAULT_TOKEN'} was not set at start`})`)
      const answer = await call('GET', 'auth/token/lookup-self', token)
      if (answer.status !== 200) throw unavailable(name, `Vault refused the token (${answer.status}: ${vaultErrors(answer)})`)
      const data = (answer.body?.data ?? {}) as { ttl?: number; renewable?: boolean }
      return leaseOf(token, Number(data.ttl ?? 0), data.renewable === true)
    }
    let path: string
    let body: Record<string, string>
    let sensitive: string[]
    if (auth.method === 'approle') {
      const secretId = (await options.getSecret(auth.secretId)).trim()
      path = `auth/${auth.mount}/login`
      body = { role_id: auth.roleId, secret_id: secretId }
      sensitive = [secretId]
    } else {
      const jwt = (await readFile(auth.jwtPath, 'utf8').catch(() => { throw unavailable(name, `the service-account token ${auth.jwtPath} cannot be read`) })).trim()
      path = `auth/${auth.mount}/login`
      body = { role: auth.role, jwt }
      sensitive = [jwt]
    }
    const answer = await call('POST', path, null, body, sensitive)
    const granted = (answer.body?.auth ?? null) as { client_token?: string; lease_duration?: number; renewable?: boolean } | null
    if (answer.status !== 200 || !granted?.client_token) {
      throw unavailable(name, `Vault refused the ${auth.method} sign-in (${answer.status}: ${redactSecrets(vaultErrors(answer), sensitive)})`)
    }
    return leaseOf(granted.client_token, Number(granted.lease_duration ?? 0), granted.renewable === true)
  }

  function leaseOf(token: string, ttlSeconds: number, renewable: boolean): LoginToken {
    const now = clock.now()
    if (!(ttlSeconds > 0)) return { token, renewAt: Infinity, expiresAt: Infinity, renewable: false }
    return { token, renewAt: now + (ttlSeconds * 1000 * 2) / 3, expiresAt: now + ttlSeconds * 1000, renewable }
  }

  async function renew(current: LoginToken): Promise<LoginToken> {
    if (current.renewable && clock.now() < current.expiresAt) {
      const answer = await call('POST', 'auth/token/renew-self', current.token, {}).catch(() => null)
      const granted = (answer?.body?.auth ?? null) as { client_token?: string; lease_duration?: number; renewable?: boolean } | null
      const ttl = Number(granted?.lease_duration ?? 0)
      // Near the token's max TTL Vault grants what is left; under two seconds it is time to sign in again.
      if (answer?.status === 200 && ttl >= 2) return leaseOf(current.token, ttl, granted?.renewable === true)
    }
    // Not renewable, expired, or renewal refused (e.g. past the token's max TTL): sign in again.
    return signIn()
  }

  function schedule(current: LoginToken): void {
    if (timer) clearTimeout(timer)
    timer = null
    if (closed || current.renewAt === Infinity) return
    timer = setTimeout(() => { void token(true).catch(() => { /* the next read reports it */ }) }, Math.max(1_000, current.renewAt - clock.now()))
    timer.unref()
  }

  /** The login token to use: signs in, or renews one past its renewal time; `force` renews (or signs in) now. */
  async function token(force = false): Promise<string> {
    if (login && !force && clock.now() < login.renewAt) return login.token
    loggingIn ??= (async () => {
      const next = login ? await renew(login) : await signIn()
      login = next
      schedule(next)
      return next
    })().finally(() => { loggingIn = null })
    return (await loggingIn).token
  }

  async function read(secret: string): Promise<SecretVersion> {
    const { path, field } = parseSecretName(name, secret, /^[A-Za-z0-9_.@-]+(\/[A-Za-z0-9_.@-]+)*$/, 'value')
    const url = `${config.mount}/data/${path.split('/').map(encodeURIComponent).join('/')}`
    let answer = await call('GET', url, await token())
    if (answer.status === 403) {
      // A revoked or expired login token: sign in again once.
      login = null
      answer = await call('GET', url, await token())
    }
    if (answer.status === 404) throw providerError('secret_not_found', name, secret, 'not found')
    if (answer.status === 403) throw providerError('secret_unreadable', name, secret, `permission denied (${vaultErrors(answer)})`)
    if (answer.status !== 200) {
      throw unavailable(name, `Vault answered ${answer.status} reading secret "${secret}": ${vaultErrors(answer)}`)
    }
    const data = (answer.body?.data ?? {}) as { data?: Record<string, unknown> | null; metadata?: { version?: number } }
    if (!data.data || !(field in data.data)) throw providerError('secret_not_found', name, secret, `has no field "${field}"`)
    const value = data.data[field]
    return { value: typeof value === 'string' ? value : JSON.stringify(value), version: data.metadata?.version === undefined ? null : String(data.metadata.version) }
  }

  return {
    name,
    read,
    async get(secret: string): Promise<string> { return (await read(secret)).value },
    close(): void {
      closed = true
      if (timer) clearTimeout(timer)
      timer = null
      void dispatcher.close().catch(() => {})
    },
  }
}

