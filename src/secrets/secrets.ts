import { ConductorError, isConductorError, systemClock, type Clock } from '../core/index.ts'
import type { SecretProviderConfig, SecretRef } from '../config/index.ts'
import { createAwsSecretsProvider } from './aws-provider.ts'
import { createFileSecretsProvider } from './file-provider.ts'
import type { SecretsProvider, SecretVersion } from './secrets-provider.ts'
import { createVaultSecretsProvider } from './vault-provider.ts'

/** What Conductor knows of one secret reference: where it comes from, which version it holds and since when. Never the value. */
export interface SecretStatus {
  provider: string
  /** The provider's kind: `file`, `vault`, `aws`, or `custom` for a stand-in. */
  type: string
  secret: string
  /** The version of the value held (Vault KV version, AWS VersionId, file modification time); null when unknown. */
  version: string | null
  /** When the value held was read from the provider (ISO 8601); null when it never was. */
  fetchedAt: string | null
  /** Seconds since `fetchedAt`. */
  ageSeconds: number | null
  /** Whether the last read succeeded. */
  ok: boolean
  /** The last read failed but the last good value is still used (within `maxStaleSeconds`). */
  stale: boolean
  /** Why the last read failed (the error's message, which never holds a value); null when it succeeded. */
  error: string | null
  /** The error's code, e.g. `secret_unavailable`. */
  errorCode: string | null
}

/** Resolves {@link SecretRef}s from config to current secret values. */
export interface Secrets {
  /**
   * The current value of the referenced secret: from the cache while it is younger than the provider's `ttlSeconds`,
   * else read again through the provider. While the provider fails, the last good value is used for `maxStaleSeconds`.
   * @throws ConductorError `secret_not_found` (also for an unknown provider), `secret_unreadable`, `invalid_input`,
   *   `secret_unavailable` (the provider has failed past `maxStaleSeconds`; names the provider).
   */
  get(ref: SecretRef): Promise<string>
  /**
   * The referenced secret parsed as JSON.
   * @throws ConductorError `secret_unreadable` when the value is not JSON (the message never quotes the value).
   */
  getJson<T = unknown>(ref: SecretRef): Promise<T>
  /** Forgets the cached value of `ref`, so the next `get` reads the provider (after Airflow refused it); the last good value stays for `maxStaleSeconds`. */
  invalidate(ref: SecretRef): void
  /** What is known of `ref` now, without reading it; null before its first read. */
  status(ref: SecretRef): SecretStatus | null
  /** Reads `ref` (through the cache, as `get` does) and reports its status; never throws for a failing provider. */
  check(ref: SecretRef): Promise<SecretStatus>
  /** Closes every provider. */
  close(): void
}

/** Options of {@link createSecrets}. */
export interface CreateSecretsOptions {
  /** The configured providers (`secrets.providers`), paths absolute; `maxStaleSeconds` defaults to 300. */
  providers: readonly ProviderSettings[]
  /** Extra, already built providers, e.g. a stand-in in unit tests; they win over configured ones of the same name (cached with TTL 0). */
  custom?: readonly SecretsProvider[]
  clock?: Clock
  /**
   * The process environment as it was at start: the AWS credential chain's `AWS_*` variables and a Vault token's
   * `tokenEnv`. Read once here, never later (default: none).
   */
  environment?: Readonly<Record<string, string | undefined>>
}

/** A provider's config as `secrets.providers` holds it, `maxStaleSeconds` optional. */
export type ProviderSettings = SecretProviderConfig extends infer T ? T extends unknown ? Omit<T, 'maxStaleSeconds'> & { maxStaleSeconds?: number } : never : never

interface CacheEntry {
  value: string | null
  version: string | null
  fetchedAt: number | null
  expiresAt: number
  error: ConductorError | null
  inflight: Promise<string> | null
}

interface ProviderSlot {
  provider: SecretsProvider
  type: string
  ttlMs: number
  maxStaleMs: number
}

const STALE_RETRY_MS = 5_000

const DEFAULT_TTL_SECONDS: Record<string, number> = { file: 0, vault: 60, aws: 60 }

/** Builds the {@link Secrets} service over the configured providers, each behind a cache. */
export function createSecrets(options: CreateSecretsOptions): Secrets {
  const clock = options.clock ?? systemClock
  const environment = options.environment ?? {}
  const slots = new Map<string, ProviderSlot>()
  const cache = new Map<string, CacheEntry>()

  const secrets: Secrets = {
    get,
    async getJson<T>(ref: SecretRef): Promise<T> {
      const text = await get(ref)
      try {
        return JSON.parse(text) as T
      } catch {
        // JSON.parse messages quote the input, so neither the message nor the cause is kept.
        throw new ConductorError('secret_unreadable', `Secret "${ref.secret}" in secrets provider "${ref.provider}" is not valid JSON`, {
          details: { provider: ref.provider, secret: ref.secret, reason: 'invalid_json' },
        })
      }
    },
    invalidate(ref: SecretRef): void {
      const entry = cache.get(keyOf(ref))
      if (entry) entry.expiresAt = 0
    },
    status(ref: SecretRef): SecretStatus | null {
      const entry = cache.get(keyOf(ref))
      return entry ? statusOf(ref, entry) : null
    },
    async check(ref: SecretRef): Promise<SecretStatus> {
      try {
        await get(ref)
      } catch (error) {
        if (!slots.has(ref.provider)) return { ...emptyStatus(ref, 'unknown'), error: messageOf(error), errorCode: codeOf(error) }
      }
      return statusOf(ref, cache.get(keyOf(ref))!)
    },
    close(): void {
      for (const slot of slots.values()) slot.provider.close()
    },
  }

  for (const config of options.providers) {
    const ttl = config.ttlSeconds ?? DEFAULT_TTL_SECONDS[config.type] ?? 0
    slots.set(config.name, { provider: buildProvider(config, { clock, environment, getSecret: (ref) => secrets.get(ref) }), type: config.type, ttlMs: ttl * 1000, maxStaleMs: (config.maxStaleSeconds ?? 300) * 1000 })
  }
  for (const provider of options.custom ?? []) slots.set(provider.name, { provider, type: 'custom', ttlMs: 0, maxStaleMs: 0 })

  function keyOf(ref: SecretRef): string {
    return `${ref.provider}\u0000${ref.secret}`
  }

  function emptyStatus(ref: SecretRef, type: string): SecretStatus {
    return { provider: ref.provider, type, secret: ref.secret, version: null, fetchedAt: null, ageSeconds: null, ok: false, stale: false, error: null, errorCode: null }
  }

  function statusOf(ref: SecretRef, entry: CacheEntry): SecretStatus {
    const slot = slots.get(ref.provider)
    const now = clock.now()
    const usable = entry.error?.code === 'secret_unavailable' && entry.fetchedAt !== null && slot !== undefined && now - entry.fetchedAt <= slot.maxStaleMs
    return {
      ...emptyStatus(ref, slot?.type ?? 'unknown'),
      version: entry.version,
      fetchedAt: entry.fetchedAt === null ? null : new Date(entry.fetchedAt).toISOString(),
      ageSeconds: entry.fetchedAt === null ? null : Math.max(0, Math.round((now - entry.fetchedAt) / 1000)),
      ok: entry.error === null,
      stale: usable,
      error: entry.error?.message ?? null,
      errorCode: entry.error?.code ?? null,
    }
  }

  async function get(ref: SecretRef): Promise<string> {
    const slot = slots.get(ref.provider)
    if (!slot) {
      throw new ConductorError('secret_not_found', `No secrets provider named "${ref.provider}" (asked for secret "${ref.secret}")`, {
        details: { provider: ref.provider, secret: ref.secret },
      })
    }
    const key = keyOf(ref)
    let entry = cache.get(key)
    if (!entry) {
      entry = { value: null, version: null, fetchedAt: null, expiresAt: 0, error: null, inflight: null }
      cache.set(key, entry)
    }
    const now = clock.now()
    if (entry.value !== null && now < entry.expiresAt && (entry.error === null || now - entry.fetchedAt! <= slot.maxStaleMs)) return entry.value
    const held = entry
    held.inflight ??= fetch(slot, ref, held).finally(() => { held.inflight = null })
    return held.inflight
  }

  async function fetch(slot: ProviderSlot, ref: SecretRef, entry: CacheEntry): Promise<string> {
    let read: SecretVersion
    try {
      read = slot.provider.read ? await slot.provider.read(ref.secret) : { value: await slot.provider.get(ref.secret), version: null }
    } catch (error) {
      const failure = isConductorError(error) ? error : new ConductorError('secret_unavailable', `Secrets provider "${ref.provider}" failed reading secret "${ref.secret}"`, {
        details: { provider: ref.provider, secret: ref.secret }, cause: error,
      })
      entry.error = failure
      if (failure.code !== 'secret_unavailable') throw failure
      const now = clock.now()
      if (entry.value !== null && entry.fetchedAt !== null && now - entry.fetchedAt <= slot.maxStaleMs) {
        // Ask a failing provider again after a short pause, not on every call.
        entry.expiresAt = now + Math.min(slot.ttlMs, STALE_RETRY_MS)
        return entry.value
      }
      throw new ConductorError('secret_unavailable', `Secrets provider "${ref.provider}" is failing and has no value of secret "${ref.secret}" younger than ${slot.maxStaleMs / 1000} s: ${failure.message}`, {
        details: { provider: ref.provider, secret: ref.secret, ...(entry.fetchedAt === null ? {} : { fetchedAt: new Date(entry.fetchedAt).toISOString() }) }, cause: failure,
      })
    }
    const now = clock.now()
    Object.assign(entry, { value: read.value, version: read.version, fetchedAt: now, expiresAt: now + slot.ttlMs, error: null })
    return read.value
  }

  return secrets
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function codeOf(error: unknown): string | null {
  return isConductorError(error) ? error.code : null
}

/** What a provider may use beside its own config. */
export interface ProviderDeps {
  clock: Clock
  environment: Readonly<Record<string, string | undefined>>
  /** Reads a secret from another provider (Vault's AppRole secret ID from a file provider). */
  getSecret: (ref: SecretRef) => Promise<string>
}

function buildProvider(config: ProviderSettings, deps: ProviderDeps): SecretsProvider {
  switch (config.type) {
    case 'file':
      return createFileSecretsProvider({ name: config.name, path: config.path })
    case 'vault':
      return createVaultSecretsProvider({ config, ...deps })
    case 'aws':
      return createAwsSecretsProvider({ config, ...deps })
  }
}
