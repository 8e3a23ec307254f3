import { decodeJwt } from 'jose'
import type { AuditLog } from '../../audit/index.ts'
import type { GroupMappingConfig } from '../../config/index.ts'
import { ConductorError, isConductorError } from '../../core/index.ts'
import type { Clock } from '../../core/index.ts'
import { mapGroups } from '../principal.ts'
import type { CredentialScope, Principal } from '../principal.ts'
import { isConductorToken } from '../service-accounts/index.ts'
import type { AccessTokens, ServiceAccounts } from '../service-accounts/index.ts'
import type { ServiceAccountTrusts } from './trusts.ts'
import { TOKEN_TYPES } from './workload-verifier.ts'
import type { WorkloadIdentity, WorkloadVerifier } from './workload-verifier.ts'

/** The RFC 8693 grant type. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange'

/** An RFC 8693 token exchange request, as parsed from the form (all values are the caller's, unchecked). */
export interface TokenExchangeRequest {
  grantType: string | undefined
  subjectToken: string | undefined
  subjectTokenType: string | undefined
  /** Extension: which service account, when several trust the workload credential. */
  serviceAccount?: string
  /** Space-separated actions the new token is limited to. */
  scope?: string
  requestedTokenType?: string
  resource?: string[]
  audience?: string[]
  /** The HTTP request id, for the audit trail. */
  httpRequestId?: string
}

/** The RFC 8693 §2.2.1 answer. */
export interface TokenExchangeResult {
  accessToken: string
  issuedTokenType: string
  tokenType: 'Bearer'
  expiresIn: number
  /** The actions the token is limited to, when narrowed. */
  scope?: string
  /** The new token's id (not part of the answer; for logs and tests). */
  tokenId: string
}

/** Exchanges presented credentials for short-lived Conductor tokens. */
export interface TokenExchange {
  /**
   * Checks the request, verifies the subject credential, finds who it may act as and issues an exchanged token
   * (`cdx_…`) that never outlives the subject credential. Refusals are ConductorErrors: `unsupported_grant_type`,
   * `invalid_input` (a missing or bad parameter; `details.field`), `invalid_target`, `invalid_scope`, `invalid_grant`
   * (nobody trusts the credential, or it names a disabled account), `token_*` (the subject token itself),
   * `issuer_unavailable`. Audited `token.exchanged` or `auth.failed`, never with the token.
   */
  exchange(request: TokenExchangeRequest): Promise<TokenExchangeResult>
}

/** Dependencies of {@link createTokenExchange}. */
export interface TokenExchangeDeps {
  workloads: Pick<WorkloadVerifier, 'verify'>
  trusts: Pick<ServiceAccountTrusts, 'matching'>
  serviceAccounts: Pick<ServiceAccounts, 'principalOf'>
  accessTokens: Pick<AccessTokens, 'issue' | 'verify' | 'get'>
  /** The full principal behind a person's IdP token or a Conductor token (the API's authenticator). */
  principalFromToken: (token: string) => Promise<Principal>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  /** Lifetime of exchanged tokens (`identity.tokens.exchangedTokenMinutes`). */
  exchangedTokenMinutes: number
  /** The values `resource`/`audience` may name: Conductor's public URL and `identity.audience`. */
  targets: readonly string[]
  /** Every action name, for `scope`. */
  actions: readonly string[]
  /** `identity.groupMappings`: rules with `issuer: aws` map role ARNs to groups. */
  groupMappings: readonly GroupMappingConfig[]
}

const fail = (code: 'unsupported_grant_type' | 'invalid_target' | 'invalid_scope' | 'invalid_grant' | 'invalid_input', message: string, field: string, extra: Record<string, unknown> = {}) =>
  new ConductorError(code, message, { details: { field, ...extra } })

const normalizeTarget = (value: string) => value.replace(/\/+$/, '')

/** The claims worth keeping in the audit trail, by issuer kind: what identifies the workload, never the token. */
function identifyingClaims(identity: WorkloadIdentity): Record<string, unknown> {
  const pick = (...keys: string[]) => Object.fromEntries(keys.filter((k) => identity.claims[k] !== undefined).map((k) => [k, identity.claims[k]]))
  switch (identity.kind) {
    case 'github': return { sub: identity.subject, ...pick('repository', 'ref', 'environment', 'workflow', 'job_workflow_ref', 'run_id', 'actor', 'event_name') }
    case 'kubernetes': {
      const k8s = (identity.claims['kubernetes.io'] ?? {}) as { namespace?: unknown; serviceaccount?: { name?: unknown } }
      return { sub: identity.subject, namespace: k8s.namespace ?? null, serviceAccount: k8s.serviceaccount?.name ?? null }
    }
    case 'aws': return pick('arn', 'roleArn', 'account')
    default: return { sub: identity.subject, ...pick('jti') }
  }
}

/** Parses `scope` into known actions (`invalid_scope` otherwise); `null` when absent. */
function parseScope(scope: string | undefined, actions: ReadonlySet<string>): string[] | null {
  if (scope === undefined) return null
  const names = scope.split(' ').filter((s) => s.length > 0)
  if (names.length === 0) throw fail('invalid_scope', 'scope names no action', 'scope')
  const unknown = names.filter((name) => !actions.has(name))
  if (unknown.length > 0) throw fail('invalid_scope', `scope: unknown action ${JSON.stringify(unknown[0]!.slice(0, 64))}`, 'scope')
  return [...new Set(names)].sort()
}

/** Creates the {@link TokenExchange} behind `POST /oauth/token`. */
export function createTokenExchange(deps: TokenExchangeDeps): TokenExchange {
  const { clock, audit } = deps
  const actions = new Set(deps.actions)
  const targets = new Set(deps.targets.map(normalizeTarget))
  const awsMappings = deps.groupMappings.filter((rule) => rule.issuer === 'aws')
  const maxSeconds = deps.exchangedTokenMinutes * 60

  /** Seconds the new token may live: the configured lifetime, never past the subject credential's expiry. */
  function lifetime(subjectExpiresAt: number | null): number {
    if (subjectExpiresAt === null) return maxSeconds
    const left = Math.floor((subjectExpiresAt - clock.now()) / 1000)
    if (left <= 0) throw fail('invalid_grant', 'the subject credential has expired', 'subject_token')
    return Math.min(maxSeconds, left)
  }

  /** Groups `identity.groupMappings` (rules with `issuer: aws`) give a role ARN; the ARN itself is not a group. */
  function awsGroups(roleArn: string | null): string[] {
    if (roleArn === null || awsMappings.length === 0) return []
    const mapped = mapGroups([roleArn], awsMappings, 'aws')
    return awsMappings.some((rule) => rule.to === roleArn) ? mapped : mapped.filter((group) => group !== roleArn)
  }

  async function forWorkload(request: TokenExchangeRequest, subjectToken: string, subjectTokenType: string, requested: string[] | null, note: Record<string, unknown>) {
    const identity = await deps.workloads.verify(subjectToken, subjectTokenType)
    note.issuer = identity.issuer
    note.subjectKind = identity.kind === 'aws' ? 'aws' : 'workload'
    note.claims = identifyingClaims(identity)
    const matches = await deps.trusts.matching(identity)
    const wanted = request.serviceAccount
    const chosen = wanted === undefined ? matches : matches.filter((m) => m.account.name === wanted)
    if (chosen.length === 0) {
      throw fail('invalid_grant', wanted === undefined
        ? `no active service account trusts this ${identity.issuer} credential`
        : `service account ${JSON.stringify(wanted.slice(0, 100))} does not trust this ${identity.issuer} credential (or is not active)`, wanted === undefined ? 'subject_token' : 'service_account')
    }
    if (chosen.length > 1) {
      throw fail('invalid_input', `several service accounts trust this credential; name one with service_account (${chosen.map((m) => m.account.name).join(', ')})`, 'service_account')
    }
    const { account, trust } = chosen[0]!
    note.serviceAccount = account.name
    note.trustId = trust.id
    const principal = deps.serviceAccounts.principalOf(account)
    const groups = identity.kind === 'aws' ? awsGroups((identity.claims.roleArn as string | null) ?? null) : []
    return {
      owner: { type: principal.type, id: principal.id }, scope: { actions: requested, environments: null } satisfies CredentialScope,
      seconds: lifetime(identity.expiresAt), createdBy: `${identity.issuer}:${identity.subject}`.slice(0, 300), parentId: undefined, groups,
    }
  }

  async function forAccessToken(request: TokenExchangeRequest, subjectToken: string, requested: string[] | null, note: Record<string, unknown>) {
    if (request.serviceAccount !== undefined) throw fail('invalid_input', 'service_account applies to workload credentials, not to access tokens', 'service_account')
    const conductor = isConductorToken(subjectToken)
    note.subjectKind = conductor ? 'conductor-token' : 'person'
    const principal = await deps.principalFromToken(subjectToken)
    note.issuer = principal.issuer
    // An IdP's service principal shares no namespace with Conductor's service accounts: a token for it must not turn into one.
    if (!conductor && principal.type !== 'User') {
      throw fail('invalid_grant', 'only a person\'s IdP token can be exchanged; a workload trusts a service account through its trust rules', 'subject_token')
    }
    let expiresAt: number | null
    let parentId: string | undefined
    if (conductor) {
      const verified = await deps.accessTokens.verify(subjectToken)
      expiresAt = Date.parse(verified.expiresAt)
      // The new token points at the chain's root (an exchanged token's own parent), so revoking that root ends them all.
      parentId = (verified.kind === 'exchanged' ? (await deps.accessTokens.get(verified.id))?.parentId : null) ?? verified.id
      note.parentId = parentId
    } else {
      const exp = decodeJwt(subjectToken).exp
      expiresAt = typeof exp === 'number' ? exp * 1000 : null
    }
    const held = principal.scope ?? { actions: null, environments: null }
    if (requested !== null && held.actions !== null) {
      const outside = requested.filter((action) => !held.actions!.includes(action))
      if (outside.length > 0) throw fail('invalid_scope', `scope: the subject credential does not allow ${outside[0]}`, 'scope')
    }
    return {
      owner: { type: principal.type, id: principal.id },
      scope: { actions: requested ?? held.actions, environments: held.environments } satisfies CredentialScope,
      seconds: lifetime(expiresAt), createdBy: `${principal.type}:${principal.id}`, parentId, groups: [] as string[],
    }
  }

  return {
    async exchange(request) {
      const note: Record<string, unknown> = { subjectTokenType: request.subjectTokenType ?? null }
      if (request.serviceAccount !== undefined) note.serviceAccount = request.serviceAccount
      try {
        if (request.grantType === undefined || request.grantType === '') throw fail('invalid_input', 'grant_type is required', 'grant_type')
        if (request.grantType !== TOKEN_EXCHANGE_GRANT_TYPE) throw fail('unsupported_grant_type', `grant_type must be ${TOKEN_EXCHANGE_GRANT_TYPE}`, 'grant_type')
        if (!request.subjectToken) throw fail('invalid_input', 'subject_token is required', 'subject_token')
        if (!request.subjectTokenType) throw fail('invalid_input', 'subject_token_type is required', 'subject_token_type')
        if (request.requestedTokenType !== undefined && request.requestedTokenType !== TOKEN_TYPES.accessToken) {
          throw fail('invalid_input', `requested_token_type: only ${TOKEN_TYPES.accessToken} is issued`, 'requested_token_type')
        }
        for (const [field, values] of [['resource', request.resource], ['audience', request.audience]] as const) {
          for (const value of values ?? []) {
            if (!targets.has(normalizeTarget(value))) throw fail('invalid_target', `${field}: Conductor issues tokens only for itself`, field)
          }
        }
        const requested = parseScope(request.scope, actions)
        const type = request.subjectTokenType
        let issued
        if (type === TOKEN_TYPES.jwt || type === TOKEN_TYPES.idToken || type === TOKEN_TYPES.awsGetCallerIdentity) {
          issued = await forWorkload(request, request.subjectToken, type, requested, note)
        } else if (type === TOKEN_TYPES.accessToken) {
          issued = await forAccessToken(request, request.subjectToken, requested, note)
        } else {
          throw fail('invalid_input', 'subject_token_type is not one Conductor accepts (jwt, id_token, access_token, aws-sts-get-caller-identity)', 'subject_token_type')
        }
        const token = await deps.accessTokens.issue({
          kind: 'exchanged', name: `exchanged via ${String(note.issuer ?? 'unknown')}`.slice(0, 100), principal: issued.owner, scope: issued.scope, expiresInSeconds: issued.seconds, createdBy: issued.createdBy,
          ...(issued.parentId ? { parentId: issued.parentId } : {}), ...(issued.groups.length > 0 ? { groups: issued.groups } : {}),
        })
        const expiresIn = Math.max(1, Math.round((Date.parse(token.expiresAt) - clock.now()) / 1000))
        await audit.append({
          type: 'token.exchanged', principal: issued.owner.id, principalType: issued.owner.type,
          data: {
            ...note, tokenId: token.id, expiresAt: token.expiresAt, scope: issued.scope,
            ...(issued.groups.length > 0 ? { groups: issued.groups } : {}), ...(request.httpRequestId ? { httpRequestId: request.httpRequestId } : {}),
          },
        })
        return {
          accessToken: token.token, issuedTokenType: TOKEN_TYPES.accessToken, tokenType: 'Bearer', expiresIn, tokenId: token.id,
          ...(requested !== null ? { scope: requested.join(' ') } : {}),
        }
      } catch (error) {
        await audit.append({
          type: 'auth.failed',
          data: {
            reason: isConductorError(error) ? error.code : 'internal', message: error instanceof Error ? error.message : 'token exchange failed',
            route: '/oauth/token', ...note, ...(request.httpRequestId ? { httpRequestId: request.httpRequestId } : {}),
          },
        })
        throw error
      }
    },
  }
}
