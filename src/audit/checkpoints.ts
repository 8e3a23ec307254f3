import { createPrivateKey, createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto'
import canonicalize from 'canonicalize'
import { ConductorError, systemClock, type Clock } from '../core/index.ts'
import type { Database } from '../store/index.ts'
import { selectAuditRow, selectChainHead } from './audit-events.repository.ts'
import type { AuditLog } from './audit-log.ts'
import { insertCheckpoint, selectCheckpoints, selectFirstSeq } from './checkpoints.repository.ts'
import type { AuditCheckpointTables, AuditCheckpointsTable } from './checkpoints.repository.ts'
import type { VerifyResult } from './types.ts'
import { verifyAuditChain } from './verify.ts'

/** A public Ed25519 key as a JWK (RFC 8037). */
export interface CheckpointPublicJwk {
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
  /** The RFC 7638 thumbprint: what checkpoints name as `keyId`. */
  kid: string
}

/** The checkpoint signing key, loaded from its secret. */
export interface CheckpointKey {
  keyId: string
  publicJwk: CheckpointPublicJwk
  privateKey: KeyObject
}

/** A signed checkpoint: the chain head at `seq` (its hash) at `at`, signed by `keyId`. */
export interface AuditCheckpoint {
  seq: number
  hash: string
  at: string
  keyId: string
  /** Ed25519, base64url, over {@link checkpointPayload}. */
  signature: string
}

const FIELD = 'audit.checkpoints.key'

/**
 * Loads an Ed25519 private key given as PEM (PKCS #8) or as a JWK (JSON).
 * @throws ConductorError `config_invalid` (field `audit.checkpoints.key`) for anything else; never quotes the value.
 */
export function loadCheckpointKey(text: string): CheckpointKey {
  let privateKey: KeyObject
  try {
    const trimmed = text.trim()
    privateKey = trimmed.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(trimmed) as Record<string, string>, format: 'jwk' } as Parameters<typeof createPrivateKey>[0])
      : createPrivateKey(trimmed)
  } catch {
    throw new ConductorError('config_invalid', 'The audit checkpoint key is not a private key in PEM (PKCS #8) or JWK form', { details: { field: FIELD } })
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ConductorError('config_invalid', `The audit checkpoint key must be an Ed25519 key, not ${privateKey.asymmetricKeyType ?? 'a symmetric key'}`, { details: { field: FIELD } })
  }
  const publicJwk = publicJwkOf(createPublicKey(privateKey))
  return { privateKey, publicJwk, keyId: publicJwk.kid }
}

function publicJwkOf(publicKey: KeyObject): CheckpointPublicJwk {
  const { x } = publicKey.export({ format: 'jwk' }) as { x: string }
  // RFC 7638: SHA-256 over the required members in lexicographic order, base64url.
  const kid = hash('sha256', `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`, 'base64url')
  return { kty: 'OKP', crv: 'Ed25519', x, kid }
}

/** The bytes a checkpoint's signature covers: the RFC 8785 canonical JSON of `{at, hash, keyId, seq}`. */
export function checkpointPayload(checkpoint: Omit<AuditCheckpoint, 'signature'>): Buffer {
  return Buffer.from(canonicalize({ at: checkpoint.at, hash: checkpoint.hash, keyId: checkpoint.keyId, seq: checkpoint.seq }) ?? '')
}

/** Signs the chain head `seq`/`hash` at `at`. */
export function signCheckpoint(key: CheckpointKey, head: { seq: number; hash: string; at: string }): AuditCheckpoint {
  const unsigned = { seq: head.seq, hash: head.hash, at: head.at, keyId: key.keyId }
  return { ...unsigned, signature: sign(null, checkpointPayload(unsigned), key.privateKey).toString('base64url') }
}

/** True when `checkpoint` is signed by the key `publicJwk` (and names it). Never throws. */
export function verifyCheckpointSignature(checkpoint: AuditCheckpoint, publicJwk: Pick<CheckpointPublicJwk, 'x'>): boolean {
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x }, format: 'jwk' })
    if (publicJwkOf(publicKey).kid !== checkpoint.keyId) return false
    return verify(null, checkpointPayload(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64url'))
  } catch {
    return false
  }
}

/** A stored checkpoint row as an {@link AuditCheckpoint}. */
export function rowToCheckpoint(row: AuditCheckpointsTable): AuditCheckpoint {
  return { seq: Number(row.seq), hash: row.hash, at: row.at, keyId: row.key_id, signature: row.signature }
}

/** Signed checkpoints of the audit chain. */
export interface AuditCheckpoints {
  /**
   * Signs the current chain head with `key`, stores the checkpoint and audits it (`audit.checkpoint`). With
   * `skipIfIdle` (the periodic loop), does nothing when no event but the last checkpoint's own was appended since.
   * Resolves undefined when there is nothing to sign (an empty trail, or idle).
   */
  create(key: CheckpointKey, options?: { skipIfIdle?: boolean; principal?: string | null; requestId?: string | null }): Promise<AuditCheckpoint | undefined>
  /** Every stored checkpoint, ascending by seq. */
  list(): Promise<AuditCheckpoint[]>
  /** Verifies the chain (from the earliest kept checkpoint when older events were archived) and every checkpoint. */
  verify(publicJwk: Pick<CheckpointPublicJwk, 'x'>): Promise<VerifyResult & { checkpoints: number }>
}

/** Creates the checkpoints service over the audit log's database. */
export function createAuditCheckpoints(deps: { database: Pick<Database<AuditCheckpointTables>, 'db'>; auditLog: Pick<AuditLog, 'append'>; clock?: Clock }): AuditCheckpoints {
  const db = deps.database.db
  const clock = deps.clock ?? systemClock
  return {
    async create(key, options = {}) {
      const head = await selectChainHead(db, false)
      if (head === undefined || Number(head.seq) === 0) return undefined
      const seq = Number(head.seq)
      if (options.skipIfIdle === true) {
        const last = (await selectCheckpoints(db)).at(-1)
        if (last !== undefined && seq <= Number(last.seq) + 1) return undefined
      }
      const checkpoint = signCheckpoint(key, { seq, hash: head.hash, at: new Date(clock.now()).toISOString() })
      const stored = await insertCheckpoint(db, { seq, hash: checkpoint.hash, at: checkpoint.at, key_id: checkpoint.keyId, signature: checkpoint.signature })
      if (!stored) return rowToCheckpoint((await selectCheckpoints(db)).find((row) => Number(row.seq) === seq)!)
      await deps.auditLog.append({
        type: 'audit.checkpoint', principal: options.principal ?? null, requestId: options.requestId ?? null,
        data: { seq, hash: checkpoint.hash, keyId: checkpoint.keyId },
      })
      return checkpoint
    },

    async list() {
      return (await selectCheckpoints(db)).map(rowToCheckpoint)
    },

    async verify(publicJwk) {
      const checkpoints = (await selectCheckpoints(db)).map(rowToCheckpoint)
      const broken = (firstBadSeq: number, reason: string) => ({ ok: false as const, firstBadSeq, reason, count: 0, checkpoints: checkpoints.length })
      for (const checkpoint of checkpoints) {
        if (!verifyCheckpointSignature(checkpoint, publicJwk)) {
          return broken(checkpoint.seq, `checkpoint ${checkpoint.seq}'s signature (key ${checkpoint.keyId}) does not verify with the checkpoint key`)
        }
      }
      const firstSeq = await selectFirstSeq(db)
      let anchor: { seq: number; hash: string } | undefined
      if (firstSeq !== undefined && firstSeq > 1) {
        // Older events were archived: the trail left starts right after the earliest kept checkpoint.
        const earliest = checkpoints[0]
        if (earliest === undefined || earliest.seq !== firstSeq - 1) {
          return broken(earliest !== undefined && earliest.seq < firstSeq - 1 ? earliest.seq + 1 : 1, `events before ${firstSeq} are missing and no kept checkpoint ends at ${firstSeq - 1}`)
        }
        anchor = { seq: earliest.seq, hash: earliest.hash }
      }
      const result = await verifyAuditChain(db, anchor === undefined ? {} : { anchor })
      if (!result.ok) return { ...result, checkpoints: checkpoints.length }
      for (const checkpoint of checkpoints) {
        if (anchor !== undefined && checkpoint.seq <= anchor.seq) continue
        const row = await selectAuditRow(db, checkpoint.seq)
        if (row === undefined) return broken(checkpoint.seq, `event ${checkpoint.seq}, signed by a checkpoint, is missing`)
        if (row.hash !== checkpoint.hash) return broken(checkpoint.seq, `event ${checkpoint.seq}'s hash differs from its signed checkpoint's`)
      }
      return { ...result, checkpoints: checkpoints.length }
    },
  }
}
