import type { Logger } from 'pino'
import type { Fence, Lease, Leases } from '../../store/index.ts'

/** A background delivery loop over a durable outbox, its periodic sweep held by one replica at a time (a lease). */
export interface DeliveryLoop {
  /** True between {@link DeliveryLoop.start} and {@link DeliveryLoop.stop}. */
  readonly started: boolean
  /**
   * Starts a round, or asks the one under way for another pass (work raised during a round is not left for the
   * interval). A sweep runs only under the lease; `sweep: false` (new work raised on this replica) runs here either way.
   */
  kick(sweep?: boolean): void
  /** Runs a round now and then every `intervalSeconds` (0: only when kicked) until stopped. */
  start(intervalSeconds: number): void
  /** Stops the loop and waits for the round under way. */
  stop(): Promise<void>
}

/**
 * Creates a {@link DeliveryLoop} running `round` under lease `lease` (when `leases` is given; alone otherwise).
 * A failing round is logged as `<what> round failed` and the loop goes on.
 */
export function createDeliveryLoop(deps: { lease: string; leases?: Pick<Leases, 'claim'> | undefined; logger: Logger; what: string; round: (fence?: Fence) => Promise<unknown> }): DeliveryLoop {
  let timer: NodeJS.Timeout | undefined
  let started = false
  let running: Promise<unknown> = Promise.resolve()
  let busy = false
  let again = false
  let lease: Lease | undefined

  const kick = (sweep = true) => {
    if (!started) return
    if (sweep && lease && !lease.held()) return
    if (busy) { again = true; return }
    busy = true
    running = (async () => {
      do {
        again = false
        await (sweep && lease ? lease.run(deps.round) : deps.round())
      } while (again && started)
    })()
      .catch((error: unknown) => deps.logger.error({ err: error }, `${deps.what} round failed`))
      .finally(() => { busy = false })
  }

  return {
    get started() { return started },
    kick,
    start(intervalSeconds) {
      if (started) return
      started = true
      lease = deps.leases?.claim(deps.lease, { onAcquired: () => kick() })
      kick()
      if (intervalSeconds > 0) {
        timer = setInterval(() => kick(), intervalSeconds * 1000)
        timer.unref()
      }
    },
    async stop() {
      started = false
      if (timer) clearInterval(timer)
      timer = undefined
      await running
    },
  }
}
