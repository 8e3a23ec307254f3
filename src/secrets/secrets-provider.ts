/**
 * A source of secret values, e.g. a folder of mounted files, Vault or AWS Secrets Manager.
 * Implementations return the current value on every call, so a rotated secret is seen by the
 * next call without a restart.
 */
export interface SecretsProvider {
  /** The provider's name from `secrets.providers[].name`; appears in errors, never with a value. */
  readonly name: string
  /**
   * The current value of `secret`.
   * @throws ConductorError `secret_not_found` when the provider has no such secret,
   *   `secret_unreadable` when it exists but cannot be read, `invalid_input` for a name the provider refuses.
   */
  get(secret: string): Promise<string>
  /** Releases what the provider holds (watchers, connections). Safe to call twice. */
  close(): void
}
