export { API_TOKEN_PREFIX, createAccessTokens, EXCHANGED_TOKEN_PREFIX, isConductorToken, MAX_EXCHANGED_TOKEN_SECONDS } from './access-tokens.ts'
export type { AccessTokenInfo, AccessTokenKind, AccessTokens, AccessTokensDeps, IssueTokenInput, TokenOwner, VerifiedAccessToken } from './access-tokens.ts'
export { createServiceAccounts, SERVICE_ACCOUNT_ISSUER, SPONSOR_LOST } from './service-accounts.ts'
export type {
  Budget, CreateServiceAccountInput, ServiceAccount, ServiceAccountAuthorizer, ServiceAccountQuestion, ServiceAccounts, ServiceAccountsDeps,
  UpdateServiceAccountInput,
} from './service-accounts.ts'
export type { AccessTokensTable, ServiceAccountsTable, ServiceAccountTables } from './service-accounts.tables.ts'
