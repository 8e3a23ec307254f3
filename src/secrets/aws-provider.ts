import aws4 from 'aws4'
import { request } from 'undici'
import type { AwsProviderConfig } from '../config/index.ts'
import type { Clock } from '../core/index.ts'
import { createAwsCredentialChain } from './aws-credentials.ts'
import { parseSecretName, providerError, unavailable } from './remote.ts'
import type { SecretsProvider, SecretVersion } from './secrets-provider.ts'

/** Options of {@link createAwsSecretsProvider}. */
export interface AwsSecretsProviderOptions {
  config: Omit<AwsProviderConfig, 'maxStaleSeconds'>
  clock: Clock
  /** The process environment as at start (the credential chain's `AWS_*` variables, `HOME`). */
  environment: Readonly<Record<string, string | undefined>>
}

// Errors that mean AWS refused the credentials (expired session, rotated keys): resolve the chain again once.
const CREDENTIAL_ERRORS = new Set(['ExpiredTokenException', 'UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignature', 'InvalidClientTokenId'])

/**
 * A secrets provider over AWS Secrets Manager's `GetSecretValue`, signed with SigV4. A secret named `prod/airflow` is
 * the `SecretString` of that SecretId at the provider's `versionStage` (`AWSCURRENT` by default, `AWSPREVIOUS` for the
 * one before a rotation); `prod/airflow#password` is key `password` of that string read as JSON. The version is the `VersionId`.
 */
export function createAwsSecretsProvider(options: AwsSecretsProviderOptions): SecretsProvider {
  const { config } = options
  const name = config.name
  const endpoint = new URL(config.endpoint ?? `https://secretsmanager.${config.region}.amazonaws.com`)
  const chain = createAwsCredentialChain({
    provider: name, region: config.region, stsEndpoint: config.stsEndpoint, profile: config.profile, timeoutMs: config.timeoutMs, clock: options.clock, environment: options.environment,
  })

  async function getSecretValue(secretId: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const credentials = await chain.credentials()
    const body = JSON.stringify({ SecretId: secretId, VersionStage: config.versionStage })
    const signed = aws4.sign({
      host: endpoint.host, path: endpoint.pathname, method: 'POST', service: 'secretsmanager', region: config.region, body,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    }, credentials)
    try {
      const response = await request(endpoint, {
        method: 'POST', body, headers: signed.headers as Record<string, string>,
        headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs, signal: AbortSignal.timeout(config.timeoutMs),
      })
      const text = await response.body.text()
      let parsed: Record<string, unknown> = {}
      try { parsed = JSON.parse(text) as Record<string, unknown> } catch { parsed = {} }
      return { status: response.statusCode, body: parsed }
    } catch (error) {
      throw unavailable(name, `Secrets Manager at ${endpoint.origin} cannot be reached (${(error as { code?: string }).code ?? 'network error'})`)
    }
  }

  async function read(secret: string): Promise<SecretVersion> {
    const { path: secretId, field, hasField } = parseSecretName(name, secret, /^[A-Za-z0-9/_+=.@:-]{1,2048}$/, null)
    let answer = await getSecretValue(secretId)
    if (answer.status !== 200 && CREDENTIAL_ERRORS.has(errorType(answer.body))) {
      chain.invalidate()
      answer = await getSecretValue(secretId)
    }
    if (answer.status !== 200) {
      const type = errorType(answer.body)
      const message = String(answer.body.message ?? answer.body.Message ?? '').slice(0, 300)
      if (type === 'ResourceNotFoundException') throw providerError('secret_not_found', name, secret, `not found at version stage ${config.versionStage}`)
      if (type === 'DecryptionFailure' || type === 'InvalidRequestException' || type === 'InvalidParameterException') {
        throw providerError('secret_unreadable', name, secret, `${type}: ${message}`)
      }
      throw unavailable(name, `Secrets Manager answered ${answer.status} ${type || ''} reading secret "${secret}"${message ? `: ${message}` : ''}`)
    }
    if (typeof answer.body.SecretString !== 'string') throw providerError('secret_unreadable', name, secret, 'has no SecretString (binary secrets are not read)')
    const version = typeof answer.body.VersionId === 'string' ? answer.body.VersionId : null
    if (!hasField) return { value: answer.body.SecretString, version }
    let object: unknown
    try {
      object = JSON.parse(answer.body.SecretString)
    } catch {
      // JSON.parse messages quote the input, so neither the message nor the cause is kept.
      throw providerError('secret_unreadable', name, secret, 'is not a JSON object, so it has no keys')
    }
    if (!object || typeof object !== 'object' || !(field in object)) throw providerError('secret_not_found', name, secret, `has no key "${field}"`)
    const value = (object as Record<string, unknown>)[field]
    return { value: typeof value === 'string' ? value : JSON.stringify(value), version }
  }

  return {
    name,
    read,
    async get(secret: string): Promise<string> { return (await read(secret)).value },
    close(): void {},
  }
}

function errorType(body: Record<string, unknown>): string {
  const raw = String(body.__type ?? body.code ?? '')
  return raw.slice(raw.lastIndexOf('#') + 1)
}
