import { z } from 'zod'

/** A name in config (environments, providers, issuers, webhooks): lowercase letters, digits, `-` and `_`. */
export const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" and "_", starting with a letter or digit')

/** A reference to a secret held by a secrets provider; never the secret itself. */
export const secretRefSchema = z.strictObject({
  provider: name.describe('The name of a provider in `secrets.providers`.'),
  secret: z.string().min(1).describe('The secret\'s name inside that provider.'),
}).describe('A reference to a secret held by a secrets provider. The value never appears in config.')
