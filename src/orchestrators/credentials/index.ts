export { CREDENTIAL_FACTORIES, createCredentials } from './credentials.ts'
export type { CredentialsDeps, CredentialsFactory } from './credentials.ts'
export { createActorCredentials } from './conductor-identity.ts'
