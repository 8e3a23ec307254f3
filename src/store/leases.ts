import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import type { Kysely } from 'kysely'
import type { Clock } from '../core/index.ts'
import type { Database } from './database.ts'

/** The `leases` table (migration 0017): who holds each kind of background work, until when, under which fencing token. */
export interface LeasesTable {
  name: string
  holder: string
  /** Grows by one each time the lease changes hands; the same while one holder keeps renewing it. */
  token: number
  acquired_at: string
  renewed_at: string
  expires_at: string
}

/** The store's own tables. */
export interface StoreTables {
  leases: LeasesTable
}

/**
 * Proof of holding a lease, handed to the work it guards. Long work asks {@link Fence.held} before each step with
 * effects (one environment's sync, one webhook delivery, one request settled) and stops when it answers false.
 */
export interface Fence {
  /** The fencing token of this holding: a later holder always has a larger one. */
  readonly token: number
  /**
   * True while this replica still holds the lease under this token: renewed in time and not taken over. Turns false
   * before the lease can expire in the database, so a replica that lost its lease stops before another one starts.
   */
  held(): boolean
}

/** One kind of background work this replica competes for. */
export interface Lease {
  readonly name: string
  /** True while this replica holds it. */
  held(): boolean
  /** Runs `work` when this replica holds the lease (resolving with its result), otherwise does nothing (resolving with `undefined`). */
  run<R>(work: (fence: Fence) => Promise<R>): Promise<R | undefined>
}

/** A lease as stored, for status views. */
export interface LeaseInfo {
  name: string
  holder: string
  token: number
  acquiredAt: string
  renewedAt: string
  expiresAt: string
}

/** The leases of one replica. */
export interface Leases {
  /** This replica's id (`replicas.id`). */
  readonly holder: string
  /** How long a lease lasts without renewal. */
  readonly leaseSeconds: number
  /**
   * Registers background work by `name`. This replica then tries to take the lease at each keeper tick (every third of
   * the lease time) and renews it while it holds it; `onAcquired` is called each time it takes it over, so the work
   * can run at once (the previous holder may have died in the middle of it). Claiming one name twice returns the same lease.
   */
  claim(name: string, options?: { onAcquired?: () => void }): Lease
  /** Makes one attempt at every claimed lease, then keeps them in the background. */
  start(): Promise<void>
  /** Stops keeping the leases and gives up those held, so another replica takes them over at its next tick. Safe to call twice. */
  stop(): Promise<void>
  /** Every lease as stored, by name. */
  list(): Promise<LeaseInfo[]>
}

/** The default replica id: `<hostname>-<pid>`, unique among processes on one database. */
export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}`
}

const LONG_AGO = '1970-01-01T00:00:00.000Z'

/**
 * Creates the leases of one replica over the `leases` table, on SQLite and PostgreSQL alike: a lease is taken with
 * one conditional write (free, expired, or already ours), so of several replicas exactly one holds each lease at any
 * time; the holder renews it every `leaseSeconds / 3`; when it dies, another replica takes it over within
 * `leaseSeconds` plus one tick. Expiry in the database uses `clock` (replicas' clocks must agree to well under the
 * lease time); a holder's own belief that it still holds uses a monotonic timer and ends a fifth of the lease time
 * before the lease expires in the database.
 */
export function createLeases(deps: {
  database: Pick<Database, 'db'>
  clock: Clock
  /** This replica's id; default {@link defaultReplicaId}. */
  holder?: string
  /** Default 15. */
  leaseSeconds?: number
  /** Told of a failed renewal or acquisition (the database is unreachable, say). */
  onError?: (error: unknown, lease: string) => void
}): Leases {
  const db = deps.database.db as Kysely<StoreTables>
  const { clock } = deps
  const holder = deps.holder ?? defaultReplicaId()
  const leaseSeconds = deps.leaseSeconds ?? 15
  const leaseMs = leaseSeconds * 1000
  const marginMs = leaseMs / 5
  const claimed = new Map<string, { lease: Lease; token: number | null; validUntil: number; onAcquired: (() => void) | undefined }>()
  let timer: NodeJS.Timeout | undefined
  let ticking: Promise<void> = Promise.resolve()
  let stopped = false

  const iso = (ms: number) => new Date(ms).toISOString()

  /** One conditional write: takes the lease if free or expired, renews it if ours. Resolves with our token, or null. */
  async function acquire(name: string): Promise<number | null> {
    const now = clock.now()
    const values = { renewed_at: iso(now), expires_at: iso(now + leaseMs) }
    const inserted = await db.insertInto('leases')
      .values({ name, holder, token: 1, acquired_at: iso(now), ...values })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('token')
      .executeTakeFirst()
    if (inserted) return Number(inserted.token)
    const updated = await db.updateTable('leases')
      .set((eb) => ({
        ...values,
        token: eb.case().when('holder', '=', holder).then(eb.ref('token')).else(eb(eb.ref('token'), '+', 1)).end(),
        acquired_at: eb.case().when('holder', '=', holder).then(eb.ref('acquired_at')).else(iso(now)).end(),
        holder,
      }))
      .where('name', '=', name)
      .where((eb) => eb.or([eb('holder', '=', holder), eb('expires_at', '<', iso(now))]))
      .returning('token')
      .executeTakeFirst()
    return updated ? Number(updated.token) : null
  }

  async function keep(name: string): Promise<void> {
    const state = claimed.get(name)
    if (!state || stopped) return
    const startedAt = performance.now()
    let token: number | null
    try {
      token = await acquire(name)
    } catch (error) {
      deps.onError?.(error, name)
      return // A renewal that failed leaves the holding to lapse at validUntil.
    }
    if (stopped) return
    const previous = state.token !== null && performance.now() < state.validUntil ? state.token : null
    state.token = token
    state.validUntil = token === null ? 0 : startedAt + leaseMs - marginMs
    if (token !== null && token !== previous) state.onAcquired?.()
  }

  const tick = () => {
    ticking = ticking.then(() => Promise.all([...claimed.keys()].map(keep))).then(() => undefined)
    return ticking
  }

  const heldAs = (name: string): number | null => {
    const state = claimed.get(name)
    return state && state.token !== null && !stopped && performance.now() < state.validUntil ? state.token : null
  }

  return {
    holder,
    leaseSeconds,
    claim(name, options = {}) {
      const existing = claimed.get(name)
      if (existing) return existing.lease
      const lease: Lease = {
        name,
        held: () => heldAs(name) !== null,
        async run(work) {
          const token = heldAs(name)
          if (token === null) return undefined
          return work({ token, held: () => heldAs(name) === token })
        },
      }
      claimed.set(name, { lease, token: null, validUntil: 0, onAcquired: options.onAcquired })
      return lease
    },
    async start() {
      stopped = false
      await tick()
      if (!timer) {
        timer = setInterval(tick, leaseMs / 3)
        timer.unref()
      }
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      stopped = true
      await ticking
      for (const [name, state] of claimed) {
        if (state.token === null) continue
        await db.updateTable('leases').set({ expires_at: LONG_AGO })
          .where('name', '=', name).where('holder', '=', holder).where('token', '=', state.token)
          .execute().catch((error: unknown) => deps.onError?.(error, name))
        state.token = null
      }
    },
    async list() {
      const rows = await db.selectFrom('leases').selectAll().orderBy('name').execute()
      return rows.map((r) => ({ name: r.name, holder: r.holder, token: Number(r.token), acquiredAt: r.acquired_at, renewedAt: r.renewed_at, expiresAt: r.expires_at }))
    },
  }
}
