export {
  AWS_GET_CALLER_IDENTITY_TOKEN_TYPE, callGetCallerIdentity, checkSignedStsRequest, decodeSignedStsRequest, GET_CALLER_IDENTITY_BODY, roleArnOf,
  SERVER_ID_HEADER,
} from './aws-sts.ts'
export type { AwsCallerIdentity, SignedStsRequest } from './aws-sts.ts'
export { createWorkloadVerifier, TOKEN_TYPES } from './workload-verifier.ts'
export type { WorkloadIdentity, WorkloadVerifier, WorkloadVerifierOptions } from './workload-verifier.ts'
export { globToRegExp, matchesGlob, matchTrustRule, matchTrustRules, readClaimPath, trustIssuerKind, validateTrustRule } from './trust-rules.ts'
export type { TrustIssuerKind, TrustRule, TrustRuleIssuers } from './trust-rules.ts'
