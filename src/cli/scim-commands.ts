import { userInfo } from 'node:os'
import type { Command } from 'commander'
import type { ReconciliationReport } from '../../contract/api-types.ts'
import { createAuditLog, type AuditTables } from '../audit/index.ts'
import type { Config } from '../config/index.ts'
import { systemClock } from '../core/index.ts'
import { createScimTokenStore, type ScimTables } from '../identity/index.ts'
import { migrateToLatest, openDatabase } from '../store/index.ts'
import { outputOf, withOutput, withQuery, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderTable, type Column } from './format.ts'

interface TokenRow { id: string; label: string; createdAt: string; rotatedAt: string | null; revokedAt: string | null; lastUsedAt: string | null }

const TOKEN_COLUMNS: Column<TokenRow>[] = [
  { header: 'ID', value: (t) => t.id, min: 8 },
  { header: 'LABEL', value: (t) => t.label, min: 6 },
  { header: 'CREATED', value: (t) => formatStamp(t.createdAt), drop: 3 },
  { header: 'LAST USED', value: (t) => formatStamp(t.lastUsedAt), drop: 2 },
  { header: 'STATE', value: (t) => (t.revokedAt ? 'revoked' : t.rotatedAt ? 'rotated' : 'active') },
]

/**
 * `conductor scim token create|list|rotate|revoke` (directly in the database, like `audit verify`: the
 * person running it holds the server's config) and `conductor scim drift` (through the API, audit:read).
 */
export function registerScimCommands(program: Command, ctx: CliContext, deps: { config: () => Config }): void {
  const scim = program.command('scim').description('SCIM 2.0 provisioning: the IdP\'s bearer tokens and the drift report')
  const token = scim.command('token').description('Bearer tokens for the identity provider\'s SCIM client (shown once, stored hashed)')

  async function withStore<T>(work: (store: ReturnType<typeof createScimTokenStore>, audit: ReturnType<typeof createAuditLog>) => Promise<T>): Promise<T> {
    const database = await openDatabase<ScimTables & AuditTables>({ url: deps.config().database.url })
    try {
      await migrateToLatest(database)
      return await work(createScimTokenStore({ db: database.db, clock: systemClock }), createAuditLog({ database: database as never }))
    } finally {
      await database.close()
    }
  }
  const who = () => `cli:${userInfo().username}`

  token.command('create').description('Create a token for an IdP; prints it once')
    .requiredOption('--label <label>', 'what it is for, e.g. "okta-prod"')
    .action(async (opts: { label: string }) => {
      await withStore(async (store, audit) => {
        const created = await store.create(opts.label)
        await audit.append({ type: 'scim.token_created', data: { id: created.id, label: opts.label, by: who() } })
        ctx.out(created.token)
        ctx.err(`SCIM token ${created.id} (${opts.label}) created. Paste it into the IdP's SCIM settings now: it is not shown again.`)
      })
    })

  withOutput(token.command('list')).description('Tokens with their state (never the secret)')
    .action(async (opts: { output?: string }) => {
      await withStore(async (store) => {
        const rows = await store.list()
        if (outputOf(opts) === 'json') ctx.out(formatJson(rows))
        else for (const line of renderTable(rows, TOKEN_COLUMNS, ctx.width())) ctx.out(line)
      })
    })

  token.command('rotate').description('Replace a token\'s secret; the old one stops working at once; prints the new one')
    .argument('<id>')
    .action(async (id: string) => {
      await withStore(async (store, audit) => {
        const rotated = await store.rotate(id)
        await audit.append({ type: 'scim.token_rotated', data: { id, by: who() } })
        ctx.out(rotated.token)
      })
    })

  token.command('revoke').description('Revoke a token; the IdP can no longer provision')
    .argument('<id>')
    .action(async (id: string) => {
      await withStore(async (store, audit) => {
        await store.revoke(id)
        await audit.append({ type: 'scim.token_revoked', data: { id, by: who() } })
        ctx.err(`SCIM token ${id} revoked.`)
      })
    })

  withOutput(scim.command('drift')).description('Users whose SCIM record and token claims disagree (audit:read)')
    .action(async (opts: { output?: string }) => {
      const report = await (await ctx.client()).request<ReconciliationReport>('GET', withQuery('/api/v1/scim/reconciliation', {}))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(report)); return }
      ctx.out(`${report.checked} users checked, ${report.inSync} in sync, ${report.drifted.length} drifted`)
      for (const line of renderTable(report.drifted, [
        { header: 'USER', value: (d) => d.principal.id, min: 6 },
        { header: 'SCIM', value: (d) => (d.scimUser === null ? 'not provisioned' : d.scimUser.deleted ? 'deleted' : d.scimUser.active ? 'active' : 'inactive') },
        { header: 'ONLY IN SCIM', value: (d) => d.missingFromClaims.join(', ') },
        { header: 'ONLY IN TOKEN', value: (d) => d.notInScim.join(', ') },
      ], ctx.width())) ctx.out(line)
    })
}
