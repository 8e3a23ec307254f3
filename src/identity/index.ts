export { readClaim, readStringClaim } from './claims.ts'
export {
  DEV_CLI_CLIENT_ID, DEV_TOKEN_CLIENT_ID, DEV_USER_GRANT_TYPE, DEV_WEB_CALLBACK_PATH, DEV_WEB_CLIENT_ID, requestDevToken, startDevIssuer,
} from './dev-issuer.ts'
export type { DevIssuer, DevIssuerOptions, RequestDevTokenOptions } from './dev-issuer.ts'
export { mapGroups, PRINCIPAL_TYPES, resolvePrincipal } from './principal.ts'
export type { CredentialScope, Principal, PrincipalType } from './principal.ts'
export { createTokenVerifier } from './token-verifier.ts'
export type { TokenCacheStats, TokenVerifier, TokenVerifierOptions, VerifiedToken } from './token-verifier.ts'
export { createOidcLogin } from './oidc-login.ts'
export type { LoginTokens, OidcLogin, OidcLoginOptions } from './oidc-login.ts'
export { createSessionStore } from './sessions.ts'
export type { Session, SessionEvent, SessionStore } from './sessions.ts'
export type { IdentityTables } from './sessions.tables.ts'
export { createRevocations } from './revocations.ts'
export type { RevocationTables, Revocations, RevocationsTable } from './revocations.ts'
export { createAccessRevoker } from './revoke-access.ts'
export type { AccessRevoker, RevocationOutcome, RevocationTarget } from './revoke-access.ts'
export { chainScimEvents, createDirectory, reconcile, scimRevocationEvents, startReconciliation, RECONCILIATION_LEASE } from './directory.ts'
export type { Directory, DriftEntry, ReconciliationReport, ReconciliationTimer, SeenPrincipal } from './directory.ts'
export { DEV_ISSUER_NAME, signInTarget, withDevIssuer } from './sign-in.ts'
export type { SignInTarget } from './sign-in.ts'
export {
  createScimService, createScimTokenStore, GROUP_MODEL, MAX_RESULTS, parseAttrPath, project, RESOURCE_TYPES, SCHEMAS, SCIM_URN, scimInvalid,
  serviceProviderConfig, USER_MODEL,
} from './scim/index.ts'
export type {
  ResourceModel, ScimChange, ScimEvents, ScimListQuery, ScimService, ScimTables, ScimTokenInfo, ScimTokenStore, ScimUserSummary,
} from './scim/index.ts'
export { AIRFLOW_SIGN_IN_CODE_SECONDS, createAirflowSignInCodes } from './airflow-sign-in.ts'
export type { AirflowSignInCodes, SignInPrincipalRef } from './airflow-sign-in.ts'
export { createAirflowTokenSigner, MAX_AIRFLOW_TOKEN_SECONDS } from './airflow-tokens.ts'
export type { AirflowJwks, AirflowTokenSigner, AirflowTokenSignerOptions, PublicJwk, TokenActor } from './airflow-tokens.ts'
export {
  AWS_GET_CALLER_IDENTITY_TOKEN_TYPE, createServiceAccountTrusts, createTokenExchange, createWorkloadVerifier, GET_CALLER_IDENTITY_BODY,
  matchesGlob, matchTrustRule, matchTrustRules, roleArnOf, SERVER_ID_HEADER, TOKEN_EXCHANGE_GRANT_TYPE, TOKEN_TYPES, trustIssuerKind, validateTrustRule,
} from './federation/index.ts'
export type {
  AddTrustInput, AwsCallerIdentity, FederationTables, ServiceAccountTrust, ServiceAccountTrusts, TokenExchange, TokenExchangeRequest, TokenExchangeResult,
  TrustedAccount, TrustIssuerKind, TrustRule, TrustRuleIssuers, WorkloadIdentity, WorkloadVerifier, WorkloadVerifierOptions,
} from './federation/index.ts'
export {
  API_TOKEN_PREFIX, createAccessTokens, createServiceAccounts, EXCHANGED_TOKEN_PREFIX, isConductorToken, MAX_EXCHANGED_TOKEN_SECONDS, SERVICE_ACCOUNT_ISSUER, SPONSOR_LOST,
} from './service-accounts/index.ts'
export type {
  AccessTokenInfo, AccessTokenKind, AccessTokens, AccessTokensDeps, AccessTokensTable, Budget, CreateServiceAccountInput, IssueTokenInput, ServiceAccount,
  ServiceAccountAuthorizer, ServiceAccountQuestion, ServiceAccounts, ServiceAccountsDeps, ServiceAccountsTable, ServiceAccountTables, TokenOwner,
  UpdateServiceAccountInput, VerifiedAccessToken,
} from './service-accounts/index.ts'
