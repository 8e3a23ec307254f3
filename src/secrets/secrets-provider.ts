/** A secret's value and the version the provider holds it as, when the provider has versions. */
export interface SecretVersion {
  value: string
  /** Vault's KV version, AWS's `VersionId`, a file's modification time; null when the provider has none. */
  version: string | null
}

/**
 * A source of secret values, e.g. a folder of mounted files, Vault or AWS Secrets Manager.
 * Implementations return the current value on every call, so a rotated secret is seen by the
 * next call without a restart (the cache in `createSecrets` decides how often that call is made).
 */
export interface SecretsProvider {
  /** The provider's name from `secrets.providers[].name`; appears in errors, never with a value. */
  readonly name: string
  /**
   * The current value of `secret`.
   * @throws ConductorError `secret_not_found` when the provider has no such secret,
   *   `secret_unreadable` when it exists but cannot be read, `invalid_input` for a name the provider refuses,
   *   `secret_unavailable` when the provider cannot be reached or refuses Conductor (worth retrying later).
   */
  get(secret: string): Promise<string>
  /** The current value with its version; providers without versions may leave it out (then `get` is used). */
  read?(secret: string): Promise<SecretVersion>
  /** Releases what the provider holds (watchers, connections, renewal timers). Safe to call twice. */
  close(): void
}
