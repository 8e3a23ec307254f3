import type { Config, SecretRef } from './config.schema.ts'

/** A secret reference in config and what uses it. */
export interface SecretReferenceUse {
  ref: SecretRef
  /** What the secret is for, e.g. `environment prod-eu`, `webhook ops`, `identity.airflowTokens.signingKeys[0]`. */
  usedBy: string
}

/** Every secret reference `config` holds, in config order, each with what uses it. */
export function secretReferences(config: Config): SecretReferenceUse[] {
  const refs: SecretReferenceUse[] = []
  const ref = (r: SecretRef): SecretRef => ({ provider: r.provider, secret: r.secret })
  for (const env of config.environments) {
    // A service account Conductor signs tokens for itself reads no secret: its reference is a placeholder.
    if (env.credentials.serviceAccountKind !== 'conductor-signed') refs.push({ ref: ref(env.credentials), usedBy: `environment ${env.name}` })
  }
  config.identity.airflowTokens.signingKeys.forEach((r, i) => refs.push({ ref: ref(r), usedBy: `identity.airflowTokens.signingKeys[${i}]` }))
  config.identity.airflowTokens.extraJwks.forEach((r, i) => refs.push({ ref: ref(r), usedBy: `identity.airflowTokens.extraJwks[${i}]` }))
  if (config.identity.login.webClientSecret) refs.push({ ref: ref(config.identity.login.webClientSecret), usedBy: 'identity.login.webClientSecret' })
  for (const webhook of config.notifications.webhooks) if (webhook.secret) refs.push({ ref: ref(webhook.secret), usedBy: `webhook ${webhook.name}` })
  for (const endpoint of config.lineage.endpoints) if (endpoint.apiKey) refs.push({ ref: ref(endpoint.apiKey), usedBy: `lineage endpoint ${endpoint.name}` })
  if (config.audit.checkpoints) refs.push({ ref: ref(config.audit.checkpoints.key), usedBy: 'audit checkpoints (signing key)' })
  for (const sink of config.audit.sinks) {
    if (sink.type === 'syslog' && sink.tls.ca) refs.push({ ref: ref(sink.tls.ca), usedBy: `audit sink ${sink.name} (TLS CA)` })
    if (sink.type === 'http' && sink.token) refs.push({ ref: ref(sink.token), usedBy: `audit sink ${sink.name} (token)` })
    if (sink.type === 'otlp') for (const [header, r] of Object.entries(sink.headers)) refs.push({ ref: ref(r), usedBy: `audit sink ${sink.name} (header ${header})` })
  }
  for (const provider of config.secrets.providers) {
    if (provider.type === 'vault' && provider.auth.method === 'approle') refs.push({ ref: ref(provider.auth.secretId), usedBy: `secrets provider ${provider.name} (AppRole secret ID)` })
  }
  return refs
}
