import { ConductorError } from '../core/index.ts'
import type { SecretProviderConfig, SecretRef } from '../config/index.ts'
import { createFileSecretsProvider } from './file-provider.ts'
import type { SecretsProvider } from './secrets-provider.ts'

/** Resolves {@link SecretRef}s from config to current secret values. */
export interface Secrets {
  /**
   * The current value of the referenced secret, read through its provider on each call.
   * @throws ConductorError `secret_not_found` (also for an unknown provider), `secret_unreadable`, `invalid_input`.
   */
  get(ref: SecretRef): Promise<string>
  /**
   * The referenced secret parsed as JSON.
   * @throws ConductorError `secret_unreadable` when the value is not JSON (the message never quotes the value).
   */
  getJson<T = unknown>(ref: SecretRef): Promise<T>
  /** Closes every provider. */
  close(): void
}

/** Options of {@link createSecrets}. */
export interface CreateSecretsOptions {
  /** The configured providers (`secrets.providers`), paths absolute. */
  providers: readonly SecretProviderConfig[]
  /** Extra, already built providers, e.g. a stand-in in unit tests; they win over configured ones of the same name. */
  custom?: readonly SecretsProvider[]
}

/** Builds the {@link Secrets} service over the configured providers. */
export function createSecrets(options: CreateSecretsOptions): Secrets {
  const providers = new Map<string, SecretsProvider>()
  for (const config of options.providers) {
    providers.set(config.name, buildProvider(config))
  }
  for (const provider of options.custom ?? []) providers.set(provider.name, provider)

  async function get(ref: SecretRef): Promise<string> {
    const provider = providers.get(ref.provider)
    if (!provider) {
      throw new ConductorError('secret_not_found', `No secrets provider named "${ref.provider}" (asked for secret "${ref.secret}")`, {
        details: { provider: ref.provider, secret: ref.secret },
      })
    }
    return provider.get(ref.secret)
  }

  return {
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
    close(): void {
      for (const provider of providers.values()) provider.close()
    },
  }
}

function buildProvider(config: SecretProviderConfig): SecretsProvider {
  switch (config.type) {
    case 'file':
      return createFileSecretsProvider({ name: config.name, path: config.path })
  }
}
