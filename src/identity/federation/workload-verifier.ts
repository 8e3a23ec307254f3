import type { AwsIdentityConfig, IdentityConfig, IssuerConfig, WorkloadIssuerConfig } from '../../config/index.ts'
import { ConductorError, systemClock } from '../../core/index.ts'
import type { Clock } from '../../core/index.ts'
import { createTokenVerifier } from '../token-verifier.ts'
import { AWS_GET_CALLER_IDENTITY_TOKEN_TYPE, callGetCallerIdentity, checkSignedStsRequest, decodeSignedStsRequest } from './aws-sts.ts'

/** RFC 8693 token type URIs a workload presents. */
export const TOKEN_TYPES = {
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  awsGetCallerIdentity: AWS_GET_CALLER_IDENTITY_TOKEN_TYPE,
} as const

/** A workload whose credential has been verified. */
export interface WorkloadIdentity {
  /** The workload issuer's configured name, or `aws`. */
  issuer: string
  kind: WorkloadIssuerConfig['kind'] | 'aws'
  /** `sub` of a JWT; the caller ARN for AWS. */
  subject: string
  /** Every claim of a JWT; `{ arn, roleArn, account, userId }` for AWS. */
  claims: Record<string, unknown>
  /** When the presented credential stops being valid (ms since the epoch); `null` when unknown (AWS). */
  expiresAt: number | null
}

/** Verifies the credentials workloads exchange at `/oauth/token`. */
export interface WorkloadVerifier {
  /**
   * Verifies `subjectToken` of type `subjectTokenType` (a JWT/ID token of `identity.workloadIssuers`, or a
   * signed `sts:GetCallerIdentity` request). Throws `token_*` ConductorErrors (the message never holds the
   * token), `issuer_unavailable` when keys or STS cannot be had.
   */
  verify(subjectToken: string, subjectTokenType: string): Promise<WorkloadIdentity>
  /** The value AWS callers must sign into `X-Conductor-Server-Id`, or `null` when AWS sign-in is off. */
  readonly awsServerId: string | null
  /** Drops cached discovery documents and keys. */
  close(): void
}

/** Dependencies of {@link createWorkloadVerifier}. */
export interface WorkloadVerifierOptions {
  issuers: readonly WorkloadIssuerConfig[]
  aws: AwsIdentityConfig
  /** Token limits, clock skew and key-set caching, shared with the IdP token verifier. */
  identity: Pick<IdentityConfig, 'maxTokenBytes' | 'clockSkewSeconds' | 'jwksCacheSeconds' | 'jwksCooldownSeconds'>
  /** Conductor's public URL: the default AWS server id is its host. */
  publicUrl: string
  clock?: Clock
  /** Fetch for discovery, keys and STS; the global `fetch` by default. */
  fetch?: typeof globalThis.fetch
}

/**
 * Creates a {@link WorkloadVerifier}. JWTs go through the same verifier as IdP tokens (issuer picked by `iss`,
 * keys by discovery or `jwksUri`, cached; `aud` must be one of the issuer's required audiences; `exp` required;
 * `nbf`/`iat` within `clockSkewSeconds`; only the issuer's asymmetric algorithms). AWS requests are checked
 * ({@link checkSignedStsRequest}) before they are forwarded to the configured STS endpoint.
 */
export function createWorkloadVerifier(options: WorkloadVerifierOptions): WorkloadVerifier {
  const clock = options.clock ?? systemClock
  const fetchImpl = options.fetch ?? globalThis.fetch
  const kinds = new Map(options.issuers.map((issuer) => [issuer.name, issuer.kind]))
  const asIssuerConfig = (issuer: WorkloadIssuerConfig): IssuerConfig => ({
    name: issuer.name, issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri, algorithms: issuer.algorithms,
    subjectClaim: 'sub', usernameClaim: 'sub', groupsClaim: 'groups',
  })
  const jwt = createTokenVerifier({
    identity: { ...options.identity, issuers: options.issuers.map(asIssuerConfig) } as IdentityConfig,
    clock,
    fetch: fetchImpl,
  })
  const awsServerId = options.aws.enabled ? (options.aws.serverId ?? new URL(options.publicUrl).host) : null

  return {
    awsServerId,
    async verify(subjectToken, subjectTokenType) {
      if (typeof subjectToken !== 'string' || subjectToken.length === 0) throw new ConductorError('token_missing', 'no subject_token was presented')
      if (subjectTokenType === TOKEN_TYPES.awsGetCallerIdentity) {
        if (awsServerId === null) throw new ConductorError('token_invalid_issuer', 'AWS IAM sign-in is not enabled on this server', { details: { issuer: 'aws' } })
        const request = decodeSignedStsRequest(subjectToken)
        checkSignedStsRequest(request, options.aws, awsServerId, clock.now())
        const caller = await callGetCallerIdentity(request, options.aws, fetchImpl)
        return { issuer: 'aws', kind: 'aws', subject: caller.arn, claims: { ...caller }, expiresAt: null }
      }
      if (subjectTokenType !== TOKEN_TYPES.jwt && subjectTokenType !== TOKEN_TYPES.idToken) {
        throw new ConductorError('token_malformed', 'subject_token_type is not a workload token type')
      }
      const verified = await jwt.verify(subjectToken)
      const kind = kinds.get(verified.issuerName)
      if (kind === undefined) throw new ConductorError('token_invalid_issuer', 'the token\'s issuer is not a workload issuer')
      return { issuer: verified.issuerName, kind, subject: verified.subject, claims: { ...verified.claims }, expiresAt: verified.expiresAt }
    },
    close() { jwt.close() },
  }
}
