import { createHash } from 'node:crypto'
import { InvalidArgumentError, Option, type Command } from 'commander'
import type { AuditCheckpointTaken, AuditEvent, AuditPage } from '../../contract/api-types.ts'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  archiveAuditEvents, createAuditCheckpoints, createAuditLog, loadCheckpointKey, verifyAuditArchive,
  type AuditCheckpointTables, type CheckpointKey,
} from '../audit/index.ts'
import type { Config } from '../config/index.ts'
import { ConductorError, systemClock } from '../core/index.ts'
import { createS3ObjectStore, createSecrets, isObjectUrl, parseObjectUrl, type ObjectStore } from '../secrets/index.ts'
import { openDatabase } from '../store/index.ts'
import { outputOf, parsePositiveInt, withOutput, withQuery, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderTable, type Column } from './format.ts'

/** The columns of `conductor audit`. */
export const AUDIT_COLUMNS: Column<Omit<AuditEvent, 'prevHash' | 'hash'>>[] = [
  { header: 'SEQ', value: (e) => String(e.seq), align: 'right' },
  { header: 'TIME (UTC)', value: (e) => formatStamp(e.at), min: 14 },
  { header: 'TYPE', value: (e) => e.type, min: 15 },
  { header: 'WHO', value: (e) => e.principal ?? '-', min: 8 },
  { header: 'ACTION', value: (e) => e.action ?? '-', min: 11 },
  { header: 'TARGET', value: (e) => [e.environment, e.dag].filter(Boolean).join('/') || '-', min: 10, drop: 0 },
  { header: 'RESULT', value: (e) => e.decision ?? '-', min: 5 },
]

const RELATIVE = /^(\d+)\s*([smhdw])$/

/**
 * A time for `--from`/`--to`: ISO 8601, a date (`2026-11-24`, midnight UTC), or a span ago
 * (`30m`, `2h`, `7d`, `1w`). Returns ISO 8601 UTC.
 */
export function parseTimeOption(value: string, now: Date = new Date()): string {
  const relative = RELATIVE.exec(value.trim())
  if (relative) {
    const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[relative[2] as 's' | 'm' | 'h' | 'd' | 'w']
    return new Date(now.getTime() - Number(relative[1]) * unit * 1000).toISOString()
  }
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value)
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('expected an ISO 8601 time, a date, or a span ago such as 30m, 2h, 7d')
  return date.toISOString()
}

/** `conductor audit [filters]` (through the API) and `conductor audit verify` (directly in the database). */
export function registerAuditCommands(program: Command, ctx: CliContext, deps: { config: () => Config }): void {
  const audit = withOutput(program.command('audit'))
    .description('The tamper-evident audit trail: list events (audit:read), oldest first, or `audit verify`')
    .option('--principal <id>', 'only events of this principal')
    .option('-e, --env <environment>', 'only this environment')
    .option('--dag <dag>', 'only this DAG')
    .option('--action <action>', 'only this action, e.g. dag:trigger')
    .option('--type <type>', 'only this event type, e.g. decision')
    .addOption(new Option('--decision <decision>', 'only allowed or denied decisions').choices(['allow', 'deny']))
    .option('--from <time>', 'events at or after: ISO 8601, a date, or a span ago (30m, 2h, 7d)', (v) => parseTimeOption(v))
    // Parsed in the action: commander gives `--to` to this command even after `archive`, whose `--to <file>` it is then.
    .option('--to <time>', 'events before: same forms as --from')
    .option('--after-seq <seq>', 'events after this sequence number (to page on)', (v) => (v === '0' ? 0 : parsePositiveInt(v)))
    .option('-n, --limit <n>', 'how many (at most 1000)', parsePositiveInt, 50)
    .action(async (opts: { principal?: string; env?: string; dag?: string; action?: string; type?: string; decision?: string; from?: string; to?: string; afterSeq?: number; limit: number; output?: string }) => {
      let to: string | undefined
      try {
        to = opts.to === undefined ? undefined : parseTimeOption(opts.to)
      } catch (error) {
        audit.error(`option '--to <time>' argument '${opts.to}' is invalid. ${(error as Error).message}`, { exitCode: 2, code: 'commander.invalidArgument' })
      }
      const path = withQuery('/api/v1/audit', {
        principal: opts.principal, environment: opts.env, dag: opts.dag, action: opts.action, type: opts.type, decision: opts.decision,
        from: opts.from, to, afterSeq: opts.afterSeq, limit: opts.limit,
      })
      const body = await (await ctx.client()).request<AuditPage>('GET', path)
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderTable(body.events, AUDIT_COLUMNS, ctx.width())) ctx.out(line)
      if (body.nextAfterSeq !== null) ctx.err(`more events: add --after-seq ${body.nextAfterSeq}`)
    })

  /** The checkpoint key of `audit.checkpoints.key`, read through the secrets providers; undefined when not configured. */
  async function checkpointKey(cfg: Config): Promise<CheckpointKey | undefined> {
    const ref = cfg.audit.checkpoints?.key
    if (ref === undefined) return undefined
    const secrets = createSecrets({ providers: cfg.secrets.providers, environment: ctx.env })
    try {
      return loadCheckpointKey(await secrets.get(ref))
    } finally {
      secrets.close()
    }
  }

  /** The object store of `audit.archive.s3` for an `s3://` location given as `field`. */
  function objectStore(cfg: Config, field: string): ObjectStore {
    const s3 = cfg.audit.archive.s3
    if (s3 === undefined) throw new ConductorError('invalid_input', `an s3:// location needs audit.archive.s3 (region, and endpoint for an S3-compatible store) in conductor.yaml`, { details: { field } })
    return createS3ObjectStore(s3, { clock: systemClock, environment: ctx.env })
  }

  /** Runs `work` with a fresh temporary folder, removed afterwards. */
  async function inTemporaryFolder<T>(work: (folder: string) => Promise<T>): Promise<T> {
    const folder = await mkdtemp(join(tmpdir(), 'conductor-archive-'))
    try {
      return await work(folder)
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }

  audit.command('verify')
    .description('Verify the hash chain directly in the database, and every signed checkpoint when audit.checkpoints is configured (from the earliest kept one after an archive); exits non-zero naming the first bad event')
    .action(async () => {
      const cfg = deps.config()
      const key = await checkpointKey(cfg)
      const database = await openDatabase<AuditCheckpointTables>({ url: cfg.database.url })
      try {
        const log = createAuditLog({ database })
        const result = key === undefined ? { ...(await log.verify()), checkpoints: null } : await createAuditCheckpoints({ database, auditLog: log }).verify(key.publicJwk)
        const signed = result.checkpoints === null ? '' : `, ${result.checkpoints} signed checkpoints`
        if (result.ok) ctx.out(`audit trail intact: ${result.count} events${signed}, last seq ${result.lastSeq}, head ${result.lastHash}`)
        else {
          ctx.out(`audit trail BROKEN at seq ${result.firstBadSeq}: ${result.reason} (${result.count} events verified before it)`)
          throw new ConductorError('audit_chain_broken', `the audit trail's hash chain breaks at seq ${result.firstBadSeq}`, { details: { firstBadSeq: result.firstBadSeq } })
        }
      } finally {
        await database.close()
      }
    })

  withOutput(audit.command('checkpoint'))
    .description('Sign the chain head now (audit:read; needs audit.checkpoints on the server)')
    .action(async (opts: { output?: string }) => {
      const body = await (await ctx.client()).request<AuditCheckpointTaken>('POST', '/api/v1/audit/checkpoints', {})
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      const c = body.checkpoint
      ctx.out(c === null ? 'the audit trail is empty: nothing to sign' : `checkpoint at seq ${c.seq} (${formatStamp(c.at)}), hash ${c.hash}, key ${c.keyId}`)
    })

  audit.command('archive')
    .description('Write the events up to the last checkpoint before --before to a JSON-lines file or s3:// object (and <file>.manifest.json beside it), then delete them from the database in one transaction')
    .requiredOption('--before <time>', 'archive up to the last checkpoint taken before this: ISO 8601, a date, or a span ago (90d)', (v) => parseTimeOption(v))
    .option('--to <file>', 'the archive file to create, or s3://BUCKET/KEY (audit.archive.s3); it must not exist; required')
    .action(async (opts: { before: string; to?: string }) => {
      const to = opts.to ?? (audit.opts() as { to?: string }).to
      if (to === undefined) throw new ConductorError('invalid_input', 'audit archive needs --to <file>', { details: { field: 'to' } })
      const cfg = deps.config()
      const remote = isObjectUrl(to) ? { at: parseObjectUrl(to, 'to'), store: objectStore(cfg, 'to') } : undefined
      const key = await checkpointKey(cfg)
      if (key === undefined) throw new ConductorError('audit_checkpoints_not_configured', 'Archiving needs signed checkpoints: configure audit.checkpoints.key')
      const database = await openDatabase<AuditCheckpointTables>({ url: cfg.database.url })
      try {
        const done = await inTemporaryFolder((folder) => archiveAuditEvents({ database, auditLog: createAuditLog({ database }), publicJwk: key.publicJwk }, {
          before: opts.before,
          ...(remote === undefined ? { file: to } : {
            file: join(folder, remote.at.key.split('/').at(-1)!),
            // The archive first, its manifest last: a manifest in the store means the archive it names is there.
            publish: async (file, manifest, sha256) => {
              await remote.store.putFile(remote.at, file, sha256)
              await remote.store.putFile({ ...remote.at, key: `${remote.at.key}.manifest.json` }, manifest, await fileSha256(manifest))
              return to
            },
          }),
        }))
        ctx.out(`archived events ${done.firstSeq}..${done.lastSeq} (${done.count}) to ${done.file}, manifest ${done.manifest}; pruned from the database`)
      } finally {
        await database.close()
      }
    })

  audit.command('verify-archive <file>')
    .description('Verify an archive (a file, or s3://BUCKET/KEY) on its own: its manifest hash, the chain inside it and its checkpoints\' signatures')
    .option('--key <jwk-file>', 'the public key (JWK, as GET /api/v1/audit/checkpoints publishes it) to trust instead of the one in the manifest')
    .action(async (file: string, opts: { key?: string }) => {
      const publicJwk = opts.key === undefined ? undefined : JSON.parse(await readFile(opts.key, 'utf8')) as { x: string }
      const verify = (path: string) => verifyAuditArchive(path, publicJwk === undefined ? {} : { publicJwk })
      const result = !isObjectUrl(file) ? await verify(file) : await inTemporaryFolder(async (folder) => {
        const at = parseObjectUrl(file, 'file')
        const store = objectStore(deps.config(), 'file')
        const local = join(folder, 'archive.jsonl')
        await store.getFile(at, local)
        await store.getFile({ ...at, key: `${at.key}.manifest.json` }, `${local}.manifest.json`)
        return verify(local)
      })
      if (result.ok) ctx.out(`archive intact: events ${result.firstSeq}..${result.lastSeq} (${result.count}), ${result.checkpoints} signed checkpoints${opts.key === undefined ? ' (with the key in its manifest)' : ''}`)
      else {
        ctx.out(`archive BROKEN: ${result.reason}`)
        throw new ConductorError('audit_archive_broken', `the audit archive ${file} does not verify`, { details: result.line === undefined ? {} : { line: result.line } })
      }
    })
}

async function fileSha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex')
}
