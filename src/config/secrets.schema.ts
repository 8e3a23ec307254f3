import { z } from 'zod'
import { name, secretRefSchema } from './common.schema.ts'

/** How long a provider's values are kept, and how long the last good one is used while the provider fails. */
const cacheShape = {
  ttlSeconds: z.number().int().min(0).max(86_400).optional()
    .describe('How long a value read from this provider is used before it is read again, so a rotated secret is seen within this time (default 60 for `vault` and `aws`, 0 for `file`, which checks the file on each read).'),
  maxStaleSeconds: z.number().int().min(0).max(7 * 86_400).default(300)
    .describe('While the provider fails, the last good value is used for this long after it was read; then reads fail with `secret_unavailable` and the environments using it report unhealthy.'),
}

const fileProviderSchema = z.strictObject({
  name,
  type: z.literal('file'),
  path: z.string().min(1).describe('A folder of files, one secret per file (as mounted Kubernetes secrets), relative to the config file.'),
  ...cacheShape,
})

const vaultAuthSchema = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('token'),
    tokenFile: z.string().min(1).optional().describe('A file holding the Vault token (re-read when Vault refuses the token), relative to the config file.'),
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('The environment variable holding the token, read once at start (default `VAULT_TOKEN` when `tokenFile` is not set).'),
  }).refine((a) => !(a.tokenFile && a.tokenEnv), { message: 'set tokenFile or tokenEnv, not both', path: ['tokenEnv'] }),
  z.strictObject({
    method: z.literal('approle'),
    mount: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/).default('approle').describe('Where the AppRole auth method is mounted.'),
    roleId: z.string().min(1).describe('The AppRole\'s role ID (an identifier, not a secret).'),
    secretId: secretRefSchema.describe('The AppRole\'s secret ID, from a `file` provider.'),
  }),
  z.strictObject({
    method: z.literal('kubernetes'),
    mount: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/).default('kubernetes').describe('Where the Kubernetes auth method is mounted.'),
    role: z.string().min(1).describe('The Vault role bound to this pod\'s service account.'),
    jwtPath: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/token').describe('The projected service-account token, read at each login.'),
  }),
]).describe('How Conductor signs in to Vault. Its login token is renewed before it expires, and Conductor signs in again when renewal fails.')

const vaultProviderSchema = z.strictObject({
  name,
  type: z.literal('vault'),
  address: z.url({ protocol: /^https?$/ }).describe('Vault\'s (or OpenBao\'s) URL, e.g. https://vault.internal:8200.'),
  namespace: z.string().min(1).optional().describe('The Vault Enterprise / OpenBao namespace (`X-Vault-Namespace`).'),
  mount: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/).default('secret').describe('Where the KV version 2 secrets engine is mounted. A secret is named `<path>#<field>` (field default `value`).'),
  auth: vaultAuthSchema,
  caFile: z.string().min(1).optional().describe('PEM CA certificates to trust for Vault\'s TLS certificate, relative to the config file.'),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  ...cacheShape,
})

const awsProviderSchema = z.strictObject({
  name,
  type: z.literal('aws'),
  region: z.string().regex(/^[a-z0-9-]+$/).describe('The AWS region of the secrets, e.g. `eu-west-1`.'),
  endpoint: z.url({ protocol: /^https?$/ }).optional().describe('Secrets Manager\'s endpoint (default `https://secretsmanager.<region>.amazonaws.com`); e.g. a VPC endpoint.'),
  stsEndpoint: z.url({ protocol: /^https?$/ }).optional().describe('STS\'s endpoint for web identity (default `https://sts.<region>.amazonaws.com`).'),
  versionStage: z.string().min(1).default('AWSCURRENT').describe('The version stage read, e.g. `AWSCURRENT` or `AWSPREVIOUS`. A secret is named `<SecretId>` or `<SecretId>#<json key>`.'),
  profile: z.string().min(1).optional().describe('The profile of the shared credentials file to use (default `AWS_PROFILE`, else `default`).'),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  ...cacheShape,
}).describe('AWS Secrets Manager. Credentials come from the standard chain, read at start: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, '
  + 'then AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (STS AssumeRoleWithWebIdentity, as on EKS), then the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials).')

/** `secrets`: the providers secret references name. */
export const secretsSchema = z.strictObject({
  providers: z.array(z.discriminatedUnion('type', [fileProviderSchema, vaultProviderSchema, awsProviderSchema])).default([]),
})
