import type { Logger } from 'pino'
import { ConductorError, systemClock, type Clock } from '../core/index.ts'
import { createLeasedLoop } from '../store/index.ts'
import type { Database, Leases } from '../store/index.ts'
import type { AuditLog } from './audit-log.ts'
import { createAuditCheckpoints, loadCheckpointKey } from './checkpoints.ts'
import type { AuditCheckpoint, CheckpointKey, CheckpointPublicJwk } from './checkpoints.ts'
import type { AuditCheckpointTables } from './checkpoints.repository.ts'

/** The lease under which the periodic checkpoint round runs. */
export const AUDIT_CHECKPOINTS_LEASE = 'audit-checkpoints'

/** Checkpoints as the server offers them: on demand, periodically under a lease, and listed with the public key. */
export interface AuditCheckpointService {
  /**
   * Signs the chain head now (see {@link AuditCheckpoints.create}); undefined for an empty trail.
   * @throws ConductorError `audit_checkpoints_not_configured`; `config_invalid` (field `audit.checkpoints.key`) for a key
   *   that is not Ed25519; the secrets provider's errors (`secret_not_found`, …) for a key that cannot be read.
   */
  checkpoint(by?: { principal?: string | null; requestId?: string | null }): Promise<AuditCheckpoint | undefined>
  /** Every stored checkpoint and the public key (JWK) that verifies them; `key` is null when checkpoints are off. */
  list(): Promise<{ key: CheckpointPublicJwk | null; checkpoints: AuditCheckpoint[] }>
  /** Starts the periodic round (`intervalSeconds`, 0: never) under the `audit-checkpoints` lease. */
  start(): void
  stop(): Promise<void>
}

/** Creates the service; `readKey` is undefined when `audit.checkpoints` is not configured. */
export function createAuditCheckpointService(deps: {
  database: Pick<Database<AuditCheckpointTables>, 'db'>
  auditLog: Pick<AuditLog, 'append'>
  readKey: (() => Promise<string>) | undefined
  intervalSeconds: number
  logger: Pick<Logger, 'error'>
  leases?: Pick<Leases, 'claim'>
  clock?: Clock
}): AuditCheckpointService {
  const checkpoints = createAuditCheckpoints({ database: deps.database, auditLog: deps.auditLog, clock: deps.clock ?? systemClock })
  async function key(): Promise<CheckpointKey> {
    if (deps.readKey === undefined) throw new ConductorError('audit_checkpoints_not_configured', 'Audit checkpoints are off: configure audit.checkpoints.key')
    return loadCheckpointKey(await deps.readKey())
  }
  const loop = createLeasedLoop({
    name: AUDIT_CHECKPOINTS_LEASE, logger: deps.logger, leases: deps.leases,
    round: async () => checkpoints.create(await key(), { skipIfIdle: true }),
  })
  return {
    async checkpoint(by = {}) {
      return checkpoints.create(await key(), by)
    },
    async list() {
      return { key: deps.readKey === undefined ? null : (await key()).publicJwk, checkpoints: await checkpoints.list() }
    },
    start() {
      if (deps.readKey !== undefined) loop.start(deps.intervalSeconds)
    },
    stop: () => loop.stop(),
  }
}
