import { resolve } from 'node:path'
import { createApp, type App } from './app.ts'
import { loadConfig, type ConfigOverrides } from './config/index.ts'

/** Loads config, starts Conductor, and stops it cleanly on SIGINT/SIGTERM. Resolves once listening. */
export async function startConductor(configFile: string, overrides: ConfigOverrides, environment: Readonly<Record<string, string | undefined>> = {}): Promise<{ app: App; url: string }> {
  const file = resolve(configFile)
  const config = loadConfig(file, overrides)
  const app = await createApp(config, { environment, loadConfig: () => loadConfig(file, overrides) })
  const url = await app.listen()
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.logger.info({ signal }, 'stopping')
    await app.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
  // SIGHUP re-reads the config file and applies its environments (docs/environments.md); the outcome is logged and audited.
  process.on('SIGHUP', () => { if (!stopping) void app.reloadConfig() })
  return { app, url }
}

/** The environment variables Conductor reads at start, and only at start. */
export function overridesFromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  return {
    DATABASE_URL: env.DATABASE_URL,
    CONDUCTOR_HOST: env.CONDUCTOR_HOST,
    CONDUCTOR_PORT: env.CONDUCTOR_PORT,
    CONDUCTOR_LOG_LEVEL: env.CONDUCTOR_LOG_LEVEL,
  }
}

if (import.meta.main) {
  const file = process.argv[2] ?? process.env.CONDUCTOR_CONFIG ?? 'conductor.yaml'
  startConductor(file, overridesFromEnv(process.env), process.env).catch((error) => {
    console.error(`conductor: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  })
}
