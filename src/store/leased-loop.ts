import type { Logger } from 'pino'
import type { Fence, Leases } from './leases.ts'

/** A background round run every so often on the one replica holding a lease (schedules, links). */
export interface LeasedLoop {
  /** Runs a round now and every `intervalSeconds` (0: never); without leases, on this replica. */
  start(intervalSeconds: number): void
  /** Stops the loop and waits for a round under way. */
  stop(): Promise<void>
  /** Runs one round now (under the lease when there is one), after any round under way. */
  tick(): Promise<unknown>
}

/** Creates a loop running `round` under the lease `name`; a failing round is logged and the loop goes on. */
export function createLeasedLoop(options: { name: string; round: (fence?: Fence) => Promise<unknown>; logger: Pick<Logger, 'error'>; leases?: Pick<Leases, 'claim'> | undefined }): LeasedLoop {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  let lease: ReturnType<Leases['claim']> | undefined
  const tick = () => {
    running = running.then(async () => {
      try {
        if (lease) await lease.run((fence) => options.round(fence))
        else await options.round()
      } catch (error) {
        options.logger.error({ err: error }, `${options.name} round failed`)
      }
    })
    return running
  }
  return {
    tick,
    start(intervalSeconds) {
      if (timer || intervalSeconds <= 0) return
      lease = options.leases?.claim(options.name, { onAcquired: () => void tick() })
      void tick()
      timer = setInterval(tick, intervalSeconds * 1000)
      timer.unref()
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      await running
    },
  }
}
