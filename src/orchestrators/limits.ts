import { systemClock, type Clock, type ConductorError } from '../core/index.ts'

/** The budget of one lane (reads or writes) of one environment. */
export interface LaneLimits {
  /** Calls in flight at once. */
  maxConcurrent: number
  /** Calls started per second, on average; the bucket holds one second's worth (at least one call). */
  perSecond: number
  /** How long a call may wait for its turn before it is refused. */
  maxWaitMs: number
}

/** What a lane is doing now, and how often it has refused. */
export interface LaneStatus {
  inFlight: number
  queued: number
  /** Calls refused since start because their turn would not come within `maxWaitMs`. */
  throttled: number
}

/** A concurrency cap and a rate limit with a bounded, first-come-first-served wait. */
export interface Lane {
  /**
   * Resolves with a release function once the call may start (a slot is free and the rate allows it), waiting in
   * line at most `maxWaitMs`; rejects with `refuse(retryAfterMs)` when its turn would not come in time. Call the
   * release function exactly once, when the call has ended.
   */
  acquire(): Promise<() => void>
  status(): LaneStatus
}

interface Waiter {
  resolve: (release: () => void) => void
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * Creates a {@link Lane}. `refuse` builds the error for a refused call from an estimate of when a retry could start.
 * Time is read from `clock` (default the wall clock) and waits use the global timers, so tests drive both with
 * `mock.timers`.
 */
export function createLane(limits: LaneLimits, refuse: (retryAfterMs: number) => ConductorError, clock: Clock = systemClock): Lane {
  const capacity = Math.max(1, limits.perSecond)
  let tokens = capacity
  let refilledAt = clock.now()
  let inFlight = 0
  let throttled = 0
  const queue: Waiter[] = []
  let wake: ReturnType<typeof setTimeout> | undefined

  function refill(): void {
    const now = clock.now()
    tokens = Math.min(capacity, tokens + ((now - refilledAt) * limits.perSecond) / 1000)
    refilledAt = now
  }

  /** How long until `count` more calls could start by the rate alone. */
  function rateWaitMs(count: number): number {
    return Math.max(0, ((count - tokens) * 1000) / limits.perSecond)
  }

  function start(): () => void {
    tokens -= 1
    inFlight += 1
    let released = false
    return () => {
      if (released) return
      released = true
      inFlight -= 1
      pump()
    }
  }

  /** Hands turns to the waiters at the head of the line while slots and tokens allow. */
  function pump(): void {
    refill()
    while (queue.length > 0 && inFlight < limits.maxConcurrent && tokens >= 1) {
      const waiter = queue.shift()!
      clearTimeout(waiter.timer)
      waiter.resolve(start())
    }
    if (queue.length > 0 && inFlight < limits.maxConcurrent && wake === undefined) {
      wake = setTimeout(() => { wake = undefined; pump() }, Math.max(1, Math.ceil(rateWaitMs(1))))
    }
  }

  function refusal(position: number): ConductorError {
    throttled += 1
    // At least a second: Retry-After counts in whole seconds, and a slot held by a slow call frees no sooner.
    return refuse(Math.max(1000, rateWaitMs(position)))
  }

  return {
    acquire() {
      refill()
      if (queue.length === 0 && inFlight < limits.maxConcurrent && tokens >= 1) return Promise.resolve(start())
      // When the rate alone puts this call's turn beyond the wait, refuse at once rather than hold it in line.
      if (limits.maxWaitMs === 0 || rateWaitMs(queue.length + 1) > limits.maxWaitMs) return Promise.reject(refusal(queue.length + 1))
      return new Promise((resolve, reject) => {
        const waiter: Waiter = { resolve, timer: undefined }
        waiter.timer = setTimeout(() => {
          const at = queue.indexOf(waiter)
          if (at === -1) return
          queue.splice(at, 1)
          reject(refusal(queue.length + 1))
        }, limits.maxWaitMs)
        queue.push(waiter)
        pump()
      })
    },
    status: () => ({ inFlight, queued: queue.length, throttled }),
  }
}
