import { randomUUID } from 'node:crypto'

/** Where time comes from. Tests pin it with {@link fixedClock}. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() }

/** A clock that stands still at `ms` until moved with `advance`. */
export function fixedClock(ms: number): Clock & { advance(byMs: number): void; set(ms: number): void } {
  let current = ms
  return {
    now: () => current,
    advance: (byMs) => { current += byMs },
    set: (next) => { current = next },
  }
}

/** Where ids come from. Tests pin them with {@link sequentialIds}. */
export interface IdGenerator {
  /** A new unique id, URL- and Airflow-run-id-safe. */
  next(): string
}

/** Random UUIDv4 ids. */
export const randomIds: IdGenerator = { next: () => randomUUID() }

/** Predictable ids `${prefix}-1`, `${prefix}-2`, … for tests. */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0
  return { next: () => `${prefix}-${++n}` }
}
