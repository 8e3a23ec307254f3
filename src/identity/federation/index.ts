export {
  AWS_GET_CALLER_IDENTITY_TOKEN_TYPE, callGetCallerIdentity, checkSignedStsRequest, decodeSignedStsRequest, GET_CALLER_IDENTITY_BODY, roleArnOf,
  SERVER_ID_HEADER,
} from './aws-sts.ts'
export type { AwsCallerIdentity, SignedStsRequest } from './aws-sts.ts'
export { createWorkloadVerifier, TOKEN_TYPES } from './workload-verifier.ts'
export type { WorkloadIdentity, WorkloadVerifier, WorkloadVerifierOptions } from './workload-verifier.ts'
export { matchesGlob, matchTrustRule, matchTrustRules, readClaimPath, trustIssuerKind, validateTrustRule } from './trust-rules.ts'
export type { TrustIssuerKind, TrustRule, TrustRuleIssuers } from './trust-rules.ts'
export { createServiceAccountTrusts } from './trusts.ts'
export type { AddTrustInput, ServiceAccountTrust, ServiceAccountTrusts, ServiceAccountTrustsDeps, TrustedAccount } from './trusts.ts'
export type { FederationTables, ServiceAccountTrustsTable } from './trusts.tables.ts'
export { createTokenExchange, TOKEN_EXCHANGE_GRANT_TYPE } from './token-exchange.ts'
export type { TokenExchange, TokenExchangeDeps, TokenExchangeRequest, TokenExchangeResult } from './token-exchange.ts'
