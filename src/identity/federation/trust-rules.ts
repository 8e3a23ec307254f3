import type { AwsIdentityConfig, WorkloadIssuerConfig } from '../../config/index.ts'
import { ConductorError, globToRegExp } from '../../core/index.ts'
import type { WorkloadIdentity } from './workload-verifier.ts'

/** Which workload identities may act as a service account: all `conditions` must match a token of `issuer`. */
export interface TrustRule {
  /** A workload issuer's configured name (`identity.workloadIssuers[].name`), or `aws`. */
  issuer: string
  /**
   * Claim path (dots for nesting) → glob; `*` matches any run of characters, everything else is literal and the
   * whole value must match. Shortcuts: Kubernetes `namespace`, `serviceAccount`; AWS `arn` (the role ARN).
   */
  conditions: Record<string, string>
}

/** The issuers trust rules may name (what {@link validateTrustRule} checks against). */
export interface TrustRuleIssuers {
  workloadIssuers: readonly Pick<WorkloadIssuerConfig, 'name' | 'kind'>[]
  aws: Pick<AwsIdentityConfig, 'enabled'>
}

/** The kind of each trust-rule issuer name: a workload issuer's kind, or `aws`. */
export type TrustIssuerKind = WorkloadIssuerConfig['kind'] | 'aws'

const KUBERNETES_SHORTCUTS: Readonly<Record<string, string>> = {
  namespace: 'kubernetes.io.namespace',
  serviceAccount: 'kubernetes.io.serviceaccount.name',
}
const AWS_PRINCIPAL_ARN = /^arn:aws:iam::(\d{12}):(role|user)\/[\w+=,.@/*-]+$/
const MAX_CONDITIONS = 20
const MAX_CONDITION_LENGTH = 512

function invalid(field: string, message: string): ConductorError {
  return new ConductorError('trust_rule_invalid', message, { details: { field } })
}

/** The kind of the issuer named `name`, or `undefined` when trust rules may not name it. */
export function trustIssuerKind(name: string, issuers: TrustRuleIssuers): TrustIssuerKind | undefined {
  if (name === 'aws') return issuers.aws.enabled ? 'aws' : undefined
  return issuers.workloadIssuers.find((issuer) => issuer.name === name)?.kind
}

const onlyWildcards = (glob: string) => /^\*+$/.test(glob)

/**
 * Refuses a trust rule that would trust too much, with `trust_rule_invalid` and the bad field
 * (`issuer`, `conditions` or `conditions.<key>`): an unknown issuer (or `aws` while AWS sign-in is off); no
 * conditions; an empty or over-long condition; GitHub without `repository`, or whose repository's owner is
 * (partly) a wildcard; Kubernetes without both `namespace` and `serviceAccount`; AWS without `arn`, with a
 * wildcard in the account or not an `arn:aws:iam::<12 digits>:role/…` or `…:user/…`; a rule whose
 * conditions are all `*`. Returns the rule with its conditions in a stable order.
 */
export function validateTrustRule(rule: { issuer: unknown; conditions: unknown }, issuers: TrustRuleIssuers): TrustRule {
  if (typeof rule.issuer !== 'string' || rule.issuer.length === 0) throw invalid('issuer', 'issuer is required')
  const kind = trustIssuerKind(rule.issuer, issuers)
  if (kind === undefined) {
    throw invalid('issuer', rule.issuer === 'aws'
      ? 'issuer "aws": AWS IAM sign-in is not enabled (identity.aws.enabled)'
      : `issuer "${rule.issuer}" is not a configured workload issuer (identity.workloadIssuers)`)
  }
  if (rule.conditions === null || typeof rule.conditions !== 'object' || Array.isArray(rule.conditions)) {
    throw invalid('conditions', 'conditions must be an object of claim path → glob')
  }
  const entries = Object.entries(rule.conditions as Record<string, unknown>)
  if (entries.length === 0) throw invalid('conditions', 'a trust rule needs at least one condition')
  if (entries.length > MAX_CONDITIONS) throw invalid('conditions', `a trust rule has at most ${MAX_CONDITIONS} conditions`)
  const conditions: Record<string, string> = {}
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/.test(key) || key.length > 200) throw invalid(`conditions.${key}`, `condition "${key}" is not a claim path`)
    if (typeof value !== 'string' || value.length === 0) throw invalid(`conditions.${key}`, `condition "${key}" must be a non-empty string`)
    if (value.length > MAX_CONDITION_LENGTH) throw invalid(`conditions.${key}`, `condition "${key}" is longer than ${MAX_CONDITION_LENGTH} characters`)
    conditions[key] = value
  }
  if (Object.values(conditions).every(onlyWildcards)) throw invalid('conditions', 'a trust rule whose conditions are all "*" trusts every token of the issuer')
  switch (kind) {
    case 'github': {
      const repository = conditions.repository
      if (repository === undefined) throw invalid('conditions.repository', 'a GitHub trust rule needs a "repository" condition (owner/name)')
      const slash = repository.indexOf('/')
      const owner = slash < 0 ? repository : repository.slice(0, slash)
      if (slash <= 0 || owner.includes('*') || repository.slice(slash + 1).length === 0) {
        throw invalid('conditions.repository', 'the repository must name its owner without wildcards ("acme/etl" or "acme/*")')
      }
      break
    }
    case 'kubernetes':
      for (const key of ['namespace', 'serviceAccount'] as const) {
        const value = conditions[key] ?? conditions[KUBERNETES_SHORTCUTS[key]!]
        if (value === undefined) throw invalid(`conditions.${key}`, `a Kubernetes trust rule needs both "namespace" and "serviceAccount" (missing "${key}")`)
      }
      break
    case 'aws': {
      const arn = conditions.arn
      if (arn === undefined) throw invalid('conditions.arn', 'an AWS trust rule needs an "arn" condition (arn:aws:iam::<account>:role/<name>)')
      const account = /^arn:aws:iam::([^:]*):/.exec(arn)?.[1]
      if (account?.includes('*')) throw invalid('conditions.arn', 'the ARN\'s account may not contain a wildcard')
      if (!AWS_PRINCIPAL_ARN.test(arn)) throw invalid('conditions.arn', 'the ARN must be arn:aws:iam::<12-digit account>:role/<name> or …:user/<name>')
      break
    }
    default:
      break
  }
  return { issuer: rule.issuer, conditions }
}

/** True when `value` (or, for an array, one of its members) is a string, number or boolean that matches `glob`. */
export function matchesGlob(value: unknown, glob: string): boolean {
  const re = globToRegExp(glob)
  const test = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && re.test(String(v))
  return Array.isArray(value) ? value.some(test) : test(value)
}

/**
 * Reads a claim by dotted path where claim names may themselves hold dots (`kubernetes.io.namespace` is
 * `claims["kubernetes.io"].namespace`): at each level the longest matching name wins, falling back to shorter ones.
 */
export function readClaimPath(claims: unknown, path: string): unknown {
  const parts = path.split('.')
  const walk = (current: unknown, from: number): unknown => {
    if (from === parts.length) return current
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined
    for (let to = parts.length; to > from; to--) {
      const key = parts.slice(from, to).join('.')
      if (!Object.hasOwn(current, key)) continue
      const found = walk((current as Record<string, unknown>)[key], to)
      if (found !== undefined) return found
    }
    return undefined
  }
  return walk(claims, 0)
}

/** The value a condition key names for an identity of `kind` (shortcuts resolved). */
function conditionValue(identity: WorkloadIdentity, key: string): unknown {
  if (identity.kind === 'aws' && key === 'arn') return identity.claims.roleArn ?? identity.claims.arn
  if (identity.kind === 'kubernetes' && KUBERNETES_SHORTCUTS[key] !== undefined) return readClaimPath(identity.claims, KUBERNETES_SHORTCUTS[key])
  return readClaimPath(identity.claims, key)
}

/** True when `rule` names the identity's issuer and each of its conditions matches the identity's claims. */
export function matchTrustRule(rule: TrustRule, identity: WorkloadIdentity): boolean {
  if (rule.issuer !== identity.issuer) return false
  const entries = Object.entries(rule.conditions)
  return entries.length > 0 && entries.every(([key, glob]) => matchesGlob(conditionValue(identity, key), glob))
}

/** The rules (with whatever they carry, e.g. the service account) that match `identity`, in order. */
export function matchTrustRules<R extends TrustRule>(rules: readonly R[], identity: WorkloadIdentity): R[] {
  return rules.filter((rule) => matchTrustRule(rule, identity))
}
