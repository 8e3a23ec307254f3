import type { Logger } from 'pino'
import type { PolicyEngine, PolicyErrorLocation, PolicySetInfo } from './types.ts'

/** Dependencies of {@link createPolicyWatcher}. */
export interface PolicyWatcherDeps {
  policy: Pick<PolicyEngine, 'current' | 'reload'>
  /** How often to re-read the policy folder; 0 or less watches nothing. */
  seconds: number
  logger: Pick<Logger, 'info' | 'warn' | 'error'>
  /** Told once of each new policy set put in force by a reload. */
  onLoaded?: (info: PolicySetInfo) => void | Promise<void>
  /** Told once of each distinct refused reload (the previous set stays in force, at `keptVersion`). */
  onReloadFailed?: (error: PolicyErrorLocation, keptVersion: number) => void | Promise<void>
}

/** A running policy watcher. */
export interface PolicyWatcher {
  /** Why the latest reload was refused, or null when it succeeded (or none ran yet). */
  lastReloadError(): PolicyErrorLocation | null
  /** Stops watching. Safe to call more than once. */
  stop(): void
}

/**
 * Re-reads the policy folder every `seconds` in the background (the timer does not keep the process alive).
 * A reload that changes nothing is silent; the same refusal repeated is reported once, until a reload succeeds.
 */
export function createPolicyWatcher(deps: PolicyWatcherDeps): PolicyWatcher {
  const { policy, logger } = deps
  let lastReloadError: PolicyErrorLocation | null = null
  if (deps.seconds <= 0) return { lastReloadError: () => lastReloadError, stop() {} }
  let lastFailure = ''
  let busy = false
  const timer = setInterval(async () => {
    if (busy) return
    busy = true
    try {
      const before = policy.current().hash
      const result = await policy.reload()
      if (result.ok) {
        lastFailure = ''
        lastReloadError = null
        if (policy.current().hash !== before) {
          logger.info({ version: policy.current().version }, 'policies reloaded')
          await deps.onLoaded?.(policy.current())
        }
      } else {
        lastReloadError = result.error
        const failure = JSON.stringify(result.error)
        if (failure !== lastFailure) {
          lastFailure = failure
          logger.warn({ error: result.error }, 'policy reload refused; keeping the previous set')
          await deps.onReloadFailed?.(result.error, policy.current().version)
        }
      }
    } catch (error) {
      logger.error({ err: error }, 'policy reload failed')
    } finally {
      busy = false
    }
  }, deps.seconds * 1000)
  timer.unref()
  return { lastReloadError: () => lastReloadError, stop: () => clearInterval(timer) }
}
