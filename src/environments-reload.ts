import type { Logger } from 'pino'
import { canonicalData, type AuditLog } from './audit/index.ts'
import type { Config, EnvironmentConfig } from './config/index.ts'
import { ConductorError, isConductorError } from './core/index.ts'
import type { Catalog, Fleet } from './governance/index.ts'
import type { Orchestrator } from './orchestrators/index.ts'

/** What one config reload did. */
export type ConfigReloadResult =
  | {
    ok: true
    /** Environments new in the config, changed in it (their orchestrator rebuilt), and gone from it. */
    added: string[]
    changed: string[]
    removed: string[]
    /** Top-level config sections that differ from the running ones but only take effect at the next start. */
    restartNeeded: string[]
  }
  | { ok: false; error: { code: string; message: string; path?: string } }

/** Re-reads the config file and applies its environments to the running Conductor. */
export interface EnvironmentsReloader {
  /**
   * Reads and validates the whole config; on success puts its environments in force at once (new ones get an
   * orchestrator and a catalog sync, changed ones a new orchestrator, removed ones stop answering) and audits
   * `config.environments_changed`; on failure keeps everything as it was and audits `config.reload_failed`. Never throws;
   * reloads run one at a time.
   */
  reload(): Promise<ConfigReloadResult>
  /**
   * Puts the environments defined through the API (`stored`) in force beside the config's, as reloads do (new ones
   * get an orchestrator and a catalog sync, changed ones a new orchestrator, removed ones stop answering), without
   * reading the config file; a name config defines stays config's. Logged, not audited (the API change was). Runs
   * in turn with reloads; never throws.
   */
  refresh(): Promise<ConfigReloadResult>
  /** The names the config in force defines (those of the last good reload, or of the start). */
  configNames(): ReadonlySet<string>
  /** Closes the orchestrators reloads replaced (those still in force are the app's to close). */
  close(): Promise<void>
}

/** How long a replaced orchestrator stays open for the calls already under way through it. */
const RETIRE_AFTER_MS = 60_000

/** Creates the reloader over the running fleet. */
export function createEnvironmentsReloader(deps: {
  /** Reads and validates the config file as at start (same file, same overrides). @throws ConductorError `config_invalid`. */
  load: () => Config
  /** The config Conductor started with: sections other than `environments` are compared with it. */
  running: Config
  fleet: Fleet
  /** Builds an environment's orchestrator as at start. */
  build: (env: EnvironmentConfig) => Orchestrator
  catalog: Pick<Catalog, 'syncEnvironment'>
  audit: Pick<AuditLog, 'append'>
  logger: Logger
  /** The environments defined through the API now (docs/environments.md); none without it. */
  stored?: () => Promise<EnvironmentConfig[]>
  /** Puts `lineage.datasetTags` of a good reload in force (they need no restart). */
  datasetTags?: (rules: Config['lineage']['datasetTags']) => void
}): EnvironmentsReloader {
  const { fleet, audit, logger } = deps
  const retired = new Set<Orchestrator>()
  const timers = new Set<NodeJS.Timeout>()
  let queue: Promise<unknown> = Promise.resolve()
  /** Runs `work` after whatever reload or refresh is under way: one at a time. */
  const inTurn = (work: () => Promise<ConfigReloadResult>): Promise<ConfigReloadResult> => {
    const run = queue.then(work, work)
    queue = run.catch(() => undefined)
    return run
  }
  const providers = new Set(deps.running.secrets.providers.map((p) => p.name))
  let configured: readonly EnvironmentConfig[] = deps.running.environments
  let configNames: ReadonlySet<string> = new Set(configured.map((e) => e.name))

  const retire = (orchestrator: Orchestrator) => {
    retired.add(orchestrator)
    const timer = setTimeout(() => {
      timers.delete(timer)
      retired.delete(orchestrator)
      orchestrator.close().catch((error: unknown) => logger.warn({ err: error, environment: orchestrator.environment }, 'closing a replaced orchestrator failed'))
    }, RETIRE_AFTER_MS)
    timer.unref()
    timers.add(timer)
  }

  async function refuse(error: unknown): Promise<ConfigReloadResult> {
    const e = isConductorError(error) ? error : new ConductorError('config_invalid', String(error))
    const path = typeof e.details?.path === 'string' ? e.details.path : undefined
    // The first line only: a YAML parser's message goes on to quote lines of the file, which may hold a database URL's password.
    const summary = { code: e.code, message: e.message.split('\n')[0]!, ...(path !== undefined ? { path } : {}) }
    logger.error({ error: summary }, 'config reload refused; the running config stays in force')
    await audit.append({ type: 'config.reload_failed', data: { error: summary, kept: [...fleet.environments.keys()] } })
    return { ok: false, error: summary }
  }

  async function reloadNow(): Promise<ConfigReloadResult> {
    let next: Config
    try {
      next = deps.load()
      next.environments.forEach((env, i) => {
        if (!providers.has(env.credentials.provider)) {
          throw new ConductorError('config_invalid', `environments[${i}].credentials.provider: secrets provider "${env.credentials.provider}" is not running (new providers need a restart)`, {
            details: { path: `environments[${i}].credentials.provider` },
          })
        }
      })
    } catch (error) {
      return refuse(error)
    }
    const applied = await apply(next.environments)
    if (!applied.ok) return refuse(applied.error)
    const { added, changed, removed } = applied
    configured = next.environments
    configNames = new Set(configured.map((e) => e.name))
    deps.datasetTags?.(next.lineage.datasetTags)
    // `lineage.datasetTags` applies at once: the rest of `lineage` still needs a restart.
    const restartNeeded = (Object.keys(next) as (keyof Config)[])
      .filter((key) => key !== 'environments' && !same(reloadable(key, next), reloadable(key, deps.running))).sort()
    const result = { ok: true as const, added, changed, removed, restartNeeded }
    if (added.length + changed.length + removed.length > 0) {
      await audit.append({ type: 'config.environments_changed', data: { added, changed, removed, restartNeeded } })
    }
    logger.info({ added, changed, removed, restartNeeded }, 'config reloaded')
    await applied.sync()
    return result
  }

  /**
   * Puts `fromConfig` and the stored environments in force (config wins a name both define): builds the orchestrators of
   * the new and changed ones, then swaps the set at once. `sync` syncs the new and changed ones' catalogs.
   */
  async function apply(fromConfig: readonly EnvironmentConfig[]): Promise<
    | { ok: true; added: string[]; changed: string[]; removed: string[]; sync: () => Promise<void> }
    | { ok: false; error: unknown }
  > {
    const names = new Set(fromConfig.map((e) => e.name))
    const apiDefined = new Set<string>()
    const fromApi: EnvironmentConfig[] = []
    try {
      for (const env of deps.stored ? await deps.stored() : []) {
        if (names.has(env.name)) {
          logger.warn({ environment: env.name }, 'an environment defined through the API is also defined in the config: the config\'s is in force')
        } else if (!providers.has(env.credentials.provider)) {
          logger.error({ environment: env.name, provider: env.credentials.provider }, 'an environment defined through the API names a secrets provider that is not running: left out')
        } else {
          fromApi.push(env)
          apiDefined.add(env.name)
        }
      }
    } catch (error) {
      return { ok: false, error }
    }
    const wanted = [...fromConfig, ...fromApi]
    const before = fleet.environments
    const added = wanted.filter((e) => !before.has(e.name)).map((e) => e.name)
    const changed = wanted.filter((e) => before.has(e.name) && !same(before.get(e.name), e)).map((e) => e.name)
    const removed = [...before.keys()].filter((name) => !wanted.some((e) => e.name === name))
    const built = new Map<string, Orchestrator>()
    try {
      for (const env of wanted) if (added.includes(env.name) || changed.includes(env.name)) built.set(env.name, deps.build(env))
    } catch (error) {
      for (const o of built.values()) await o.close().catch(() => undefined)
      return { ok: false, error }
    }
    const replaced = [...changed, ...removed].map((name) => fleet.orchestrators.get(name)!).filter(Boolean)
    const orchestrators = new Map(wanted.map((e) => [e.name, built.get(e.name) ?? fleet.orchestrators.get(e.name)!]))
    fleet.replace(wanted, orchestrators, apiDefined)
    for (const o of replaced) retire(o)
    return {
      ok: true, added, changed, removed,
      sync: async () => { for (const name of [...added, ...changed]) await deps.catalog.syncEnvironment(name) },
    }
  }

  async function refreshNow(): Promise<ConfigReloadResult> {
    const applied = await apply(configured)
    if (!applied.ok) {
      const e = isConductorError(applied.error) ? applied.error : new ConductorError('internal', String(applied.error))
      logger.error({ err: applied.error }, 'putting API-defined environments in force failed; the environments in force stay')
      return { ok: false, error: { code: e.code, message: e.message.split('\n')[0]! } }
    }
    const { added, changed, removed } = applied
    if (added.length + changed.length + removed.length > 0) logger.info({ added, changed, removed }, 'API-defined environments put in force')
    await applied.sync()
    return { ok: true, added, changed, removed, restartNeeded: [] }
  }

  return {
    reload: () => inTurn(reloadNow),
    refresh: () => inTurn(refreshNow),
    configNames: () => configNames,
    async close() {
      await queue
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      for (const o of retired) await o.close().catch(() => undefined)
      retired.clear()
    },
  }
}

/** Section `key` of `config` without what a reload puts in force. */
function reloadable(key: keyof Config, config: Config): unknown {
  return key === 'lineage' ? { ...config.lineage, datasetTags: [] } : config[key]
}

/** Whether two config values are equal whatever the order of their keys. */
function same(a: unknown, b: unknown): boolean {
  return canonicalData({ value: a }) === canonicalData({ value: b })
}
