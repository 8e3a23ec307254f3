import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ConductorError } from '../../core/index.ts'
import type { AccessTokenInfo, AccessTokens, Principal, ServiceAccount, ServiceAccounts } from '../../identity/index.ts'
import { ACTIONS } from '../../policy/index.ts'
import { apiErrors } from '../responses.ts'

const isoTime = z.string().describe('ISO 8601')
// eslint-disable-next-line no-control-regex -- control characters are refused; so is white space at either end
const name250 = z.string().min(1).max(250).regex(/^[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f])?$/, 'no control characters, no white space at either end')
// eslint-disable-next-line no-control-regex -- control characters but tab and line breaks are refused
const freeText = (max: number) => z.string().max(max).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'no control characters')
const accountName = z.string().min(1).max(63).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, . _ - (starting with a letter or digit)')
const owner = z.strictObject({ type: z.enum(['User', 'Group']), id: name250 }).describe('Who answers for it: a person, or a group whose members manage it')
const budget = z.strictObject({
  action: z.enum(ACTIONS),
  max: z.number().int().min(0).max(1_000_000).describe('At most this many non-denied requests…'),
  perHours: z.number().int().min(1).max(720).describe('…in this many hours (a sliding window)'),
}).meta({ id: 'Budget' })
const tool = z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : -')

const createBody = z.strictObject({
  name: accountName.describe('Unique for ever: a deleted account\'s name is not reused'),
  kind: z.enum(['service', 'agent']).default('service').describe('`agent`: an AI agent acting as an `Agent` principal, with a sponsor'),
  description: freeText(1000).optional(),
  owner,
  groups: z.array(name250).max(100).optional().describe('Groups it acts with; only groups you are in, unless you may policy:write'),
  sponsor: name250.optional().describe('Agents: the person who answers for it; default you (naming another person needs policy:write)'),
  tools: z.array(tool).max(200).optional().describe('Agents: the MCP tools it may use (empty: all that policy allows)'),
  budgets: z.array(budget).max(50).optional().describe('Agents: at most `max` requests of `action` per `perHours` hours'),
})
const patchBody = createBody.omit({ name: true, kind: true }).partial()
const nameParams = z.object({ name: accountName })
const tokenParams = z.object({ id: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/) })
const disableBody = z.strictObject({ reason: freeText(500).min(1) })
const revokeBody = z.strictObject({ reason: freeText(500).optional() }).optional()
const tokenBody = z.strictObject({
  name: name250.max(100).describe('A label, e.g. `ci`'),
  expiresInDays: z.number().int().min(1).describe('Required; at most `identity.tokens.maxApiTokenDays` (default 90)'),
  actions: z.array(z.enum(ACTIONS)).min(1).max(ACTIONS.length).optional().describe('Only these actions (default: whatever policy allows)'),
  environments: z.array(name250).min(1).max(500).optional().describe('Only these environments (default: all)'),
})

/** A service account or agent (`ServiceAccount`). */
export const serviceAccountView = z.strictObject({
  name: z.string(),
  kind: z.enum(['service', 'agent']),
  principalType: z.enum(['ServiceAccount', 'Agent']).describe('How it appears to policy and in the audit trail'),
  description: z.string(),
  owner: z.strictObject({ type: z.enum(['User', 'Group']), id: z.string() }),
  groups: z.array(z.string()),
  sponsor: z.string().nullable(),
  tools: z.array(z.string()),
  budgets: z.array(z.strictObject({ action: z.string(), max: z.number().int(), perHours: z.number().int() })),
  state: z.enum(['active', 'disabled', 'deleted']),
  createdAt: isoTime,
  createdBy: z.string(),
  updatedAt: isoTime,
  disabledReason: z.string().nullable(),
}).meta({ id: 'ServiceAccount' })

const scopeView = z.strictObject({
  actions: z.array(z.string()).nullable().describe('null: any action policy allows'),
  environments: z.array(z.string()).nullable().describe('null: every environment'),
}).meta({ id: 'CredentialScope' })

/** An access token as listed: never its secret (`AccessToken`). */
export const accessTokenView = z.strictObject({
  id: z.string(),
  kind: z.enum(['api', 'exchanged']),
  name: z.string(),
  principal: z.strictObject({ type: z.enum(['User', 'ServiceAccount', 'Agent']), id: z.string() }),
  scope: scopeView,
  createdAt: isoTime,
  createdBy: z.string(),
  expiresAt: isoTime,
  lastUsedAt: isoTime.nullable().describe('Recorded at most once a minute'),
  revokedAt: isoTime.nullable(),
  revokedReason: z.string().nullable(),
  parentId: z.string().nullable().describe('The credential an exchanged token was obtained with'),
  state: z.enum(['active', 'expired', 'revoked']),
}).meta({ id: 'AccessToken' })

const accountAnswer = z.strictObject({ serviceAccount: serviceAccountView }).meta({ id: 'ServiceAccountAnswer' })
const accountList = z.strictObject({ serviceAccounts: z.array(serviceAccountView) }).meta({ id: 'ServiceAccountList' })
const tokenList = z.strictObject({ tokens: z.array(accessTokenView) }).meta({ id: 'AccessTokenList' })
const tokenCreated = z.strictObject({
  token: z.string().describe('The bearer token (`cdt_…`): shown this once, store it now'),
  accessToken: accessTokenView,
}).meta({ id: 'AccessTokenCreated' })
const tokenAnswer = z.strictObject({ accessToken: accessTokenView }).meta({ id: 'AccessTokenAnswer' })

const view = (a: ServiceAccount) => ({ ...a, principalType: a.kind === 'agent' ? 'Agent' as const : 'ServiceAccount' as const })
const tokenView = (t: AccessTokenInfo) => ({ ...t, principal: { type: t.principal.type, id: t.principal.id } })

/** What the service-account routes need. */
export interface ServiceAccountRoutesDeps {
  serviceAccounts: ServiceAccounts
  accessTokens: AccessTokens
  who: (request: FastifyRequest) => Principal
  /** The environments a token's scope may name (asked at each issue: a config reload may change them). */
  environments: () => Iterable<string>
}

/** Service accounts, agents and API tokens under /api/v1 (docs/service-accounts.md, docs/api-tokens.md). */
export function serviceAccountsRoutes(deps: ServiceAccountRoutesDeps): FastifyPluginAsyncZod {
  const { serviceAccounts: sa, accessTokens: tokens, who } = deps

  /** API tokens are made by a signed-in person (session or IdP token), never with a token Conductor issued. */
  function interactive(principal: Principal): void {
    if (principal.credential !== undefined) {
      throw new ConductorError('credential_not_interactive', `API tokens can only be created signed in (a session or an identity provider token), not with a Conductor ${principal.credential.kind}`, {
        details: { credential: principal.credential.kind },
      })
    }
  }

  async function issue(actor: Principal, principal: { type: Principal['type']; id: string }, body: z.output<typeof tokenBody>) {
    const knownEnvironments = new Set(deps.environments())
    const unknown = (body.environments ?? []).filter((e) => !knownEnvironments.has(e))
    if (unknown.length > 0) throw new ConductorError('invalid_input', `unknown environment(s): ${unknown.join(', ')}`, { details: { field: 'environments', environments: unknown } })
    const created = await tokens.issue({
      kind: 'api', name: body.name, principal, expiresInSeconds: body.expiresInDays * 86_400, createdBy: `${actor.type}:${actor.id}`,
      ...(body.actions || body.environments ? { scope: { actions: body.actions ?? null, environments: body.environments ?? null } } : {}),
    })
    return { token: created.token, accessToken: tokenView((await tokens.get(created.id))!) }
  }

  /** The token `id` when `actor` may act on it (their own, or of an account they manage); else `access_token_not_found`. */
  async function ownedToken(actor: Principal, id: string): Promise<AccessTokenInfo> {
    const token = await tokens.get(id)
    const missing = () => new ConductorError('access_token_not_found', `no token ${id}`, { details: { id } })
    if (token === null) throw missing()
    if (token.principal.type === actor.type && token.principal.id === actor.id) return token
    if (token.principal.type === 'User') throw missing()
    try {
      await sa.authorizeManage(actor, token.principal.id)
    } catch {
      throw missing()
    }
    return token
  }

  return async (app) => {
    app.get('/service-accounts', { schema: { tags: ['service-accounts'], summary: 'The service accounts and agents you may see (service_account:read)', response: { 200: accountList, ...apiErrors() } } }, async (request) => {
      return { serviceAccounts: (await sa.listVisible(who(request))).map(view) }
    })

    app.post('/service-accounts', { schema: { tags: ['service-accounts'], summary: 'Create a service account or agent (service_account:manage)', body: createBody, response: { 201: accountAnswer, ...apiErrors(400, 409) } } }, async (request, reply) => {
      const account = await sa.create(who(request), request.body)
      reply.code(201).header('location', `/api/v1/service-accounts/${encodeURIComponent(account.name)}`)
      return { serviceAccount: view(account) }
    })

    app.get('/service-accounts/:name', { schema: { tags: ['service-accounts'], summary: 'One service account or agent', params: nameParams, response: { 200: accountAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { serviceAccount: view(await sa.authorizeRead(who(request), request.params.name)) }
    })

    app.patch('/service-accounts/:name', { schema: { tags: ['service-accounts'], summary: 'Change description, owner, groups, sponsor, tools or budgets', params: nameParams, body: patchBody, response: { 200: accountAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { serviceAccount: view(await sa.update(who(request), request.params.name, request.body)) }
    })

    app.delete('/service-accounts/:name', { schema: { tags: ['service-accounts'], summary: 'Delete for good: its tokens are revoked, its name is never reused; answers the tombstone', params: nameParams, response: { 200: accountAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      await sa.delete(who(request), request.params.name)
      return { serviceAccount: view((await sa.get(request.params.name))!) }
    })

    app.post('/service-accounts/:name/disable', { schema: { tags: ['service-accounts'], summary: 'Disable: its tokens stop working at once', params: nameParams, body: disableBody, response: { 200: accountAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { serviceAccount: view(await sa.disable(who(request), request.params.name, request.body.reason)) }
    })

    app.post('/service-accounts/:name/enable', { schema: { tags: ['service-accounts'], summary: 'Enable a disabled account again', params: nameParams, response: { 200: accountAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { serviceAccount: view(await sa.enable(who(request), request.params.name)) }
    })

    app.get('/service-accounts/:name/tokens', { schema: { tags: ['service-accounts'], summary: 'The API tokens of an account (never their secrets)', params: nameParams, response: { 200: tokenList, ...apiErrors(400, 404) } } }, async (request) => {
      const account = await sa.authorizeRead(who(request), request.params.name)
      const type = account.kind === 'agent' ? 'Agent' : 'ServiceAccount'
      return { tokens: (await tokens.list({ type, id: account.name }, { kind: 'api' })).map(tokenView) }
    })

    app.post('/service-accounts/:name/tokens', { schema: { tags: ['service-accounts'], summary: 'Create an API token for an account: shown once (service_account:manage, signed in)', params: nameParams, body: tokenBody, response: { 201: tokenCreated, ...apiErrors(400, 404, 409) } } }, async (request, reply) => {
      const actor = who(request)
      interactive(actor)
      const account = await sa.authorizeManage(actor, request.params.name)
      if (account.state !== 'active') throw new ConductorError('conflict', `service account ${account.name} is ${account.state}: enable it first`, { details: { state: account.state } })
      const answer = await issue(actor, { type: sa.principalOf(account).type, id: account.name }, request.body)
      reply.code(201).header('cache-control', 'no-store')
      return answer
    })

    app.get('/tokens', { schema: { tags: ['tokens'], summary: 'Your API tokens (never their secrets)', response: { 200: tokenList, ...apiErrors() } } }, async (request) => {
      const p = who(request)
      return { tokens: (await tokens.list({ type: p.type, id: p.id }, { kind: 'api' })).map(tokenView) }
    })

    app.post('/tokens', { schema: { tags: ['tokens'], summary: 'Create a personal API token: it acts as you (signed in; shown once)', body: tokenBody, response: { 201: tokenCreated, ...apiErrors(400) } } }, async (request, reply) => {
      const actor = who(request)
      interactive(actor)
      if (actor.type !== 'User') {
        throw new ConductorError('credential_not_interactive', 'personal API tokens are for people; a workload gets a service account and its tokens', { details: { principalType: actor.type } })
      }
      const answer = await issue(actor, { type: 'User', id: actor.id }, request.body)
      reply.code(201).header('cache-control', 'no-store')
      return answer
    })

    app.post('/tokens/:id/revoke', { schema: { tags: ['tokens'], summary: 'Revoke a token now: yours, or one of an account you manage', params: tokenParams, body: revokeBody, response: { 200: tokenAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      const actor = who(request)
      const token = await ownedToken(actor, request.params.id)
      await tokens.revoke(actor, token.id, request.body?.reason ?? 'revoked')
      return { accessToken: tokenView((await tokens.get(token.id))!) }
    })
  }
}
