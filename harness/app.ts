import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { createApp, type App, type AppOptions } from '../src/app.ts'
import { parseConfig } from '../src/config/index.ts'

const root = new URL('..', import.meta.url).pathname

/** The demo users every test app's development issuer knows. */
export const TEST_USERS = [
  { username: 'alice', name: 'Alice Example', email: 'alice@example.com', groups: ['data-eng'] },
  { username: 'bob', name: 'Bob Example', email: 'bob@example.com', groups: ['analysts'] },
  { username: 'carol', name: 'Carol Example', email: 'carol@example.com', groups: ['auditors'] },
  { username: 'dave', name: 'Dave Example', email: 'dave@example.com', groups: ['data-leads'] },
]

export { freePort } from './processes.ts'

/** One environment for a test app: an Airflow URL and the credentials to write into the secrets folder. */
export interface TestEnvironment {
  name: string
  url: string
  /** `environments[].kind` (default `airflow3`). */
  kind?: 'airflow3' | 'airflow2'
  /** `environments[].publicUrl`: where browsers reach this Airflow (default `url`). */
  publicUrl?: string
  zone?: string
  username?: string
  password?: string
  timeoutMs?: number
  retries?: number
  /** `environments[].limits` (default: config's defaults). */
  limits?: Record<string, number>
  /** `environments[].circuitBreaker` (default: config's defaults). */
  circuitBreaker?: Record<string, number>
  /** More `environments[].credentials` keys, e.g. `{ kind: 'conductor-identity' }` (the secret stays `airflow-<name>` in `files`). */
  credentials?: Record<string, unknown>
  /** More `environments[]` settings, e.g. `{ conductorAuthManager: true }`. */
  settings?: Record<string, unknown>
}

/**
 * Starts Conductor as a user would run it, from a parsed config: the development issuer on a free port,
 * the project's policies (or `policyFolder`), a file secrets provider in a temp folder, and the given database.
 */
export async function startTestApp(options: {
  databaseUrl: string
  environments: TestEnvironment[]
  policyFolder?: string
  extraConfig?: Record<string, unknown>
  app?: AppOptions
  /** Listen on this port (see {@link freePort}) with a matching public URL, so browser sign-in redirects work. */
  port?: number
  /** `identity.scim` settings. */
  scim?: Record<string, unknown>
  /** More secrets for the `files` provider, by name (e.g. a signing key for `identity.airflowTokens`). */
  secrets?: Record<string, string>
  /** `identity.airflowTokens` settings. */
  airflowTokens?: Record<string, unknown>
  /** More `identity` settings (e.g. `workloadIssuers`, `aws`, `groupMappings`), merged over the test defaults. */
  identity?: Record<string, unknown>
}): Promise<App & { dir: string; tokenFor(username: string): Promise<string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-app-'))
  const { writeFileSync, mkdirSync } = await import('node:fs')
  mkdirSync(join(dir, 'secrets'))
  for (const env of options.environments) {
    writeFileSync(join(dir, 'secrets', `airflow-${env.name}`), JSON.stringify({ username: env.username ?? 'conductor', password: env.password ?? 'unused' }))
  }
  for (const [name, value] of Object.entries(options.secrets ?? {})) writeFileSync(join(dir, 'secrets', name), value, { mode: 0o600 })
  const config = parseConfig({
    server: { host: '127.0.0.1', port: options.port ?? 0, ...(options.port ? { publicUrl: `http://127.0.0.1:${options.port}` } : {}) },
    database: { url: options.databaseUrl },
    identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users: TEST_USERS }, ...(options.scim ? { scim: options.scim } : {}), ...(options.airflowTokens ? { airflowTokens: options.airflowTokens } : {}), ...options.identity },
    policy: { folder: options.policyFolder ?? join(root, 'policies'), reloadIntervalSeconds: 0 },
    secrets: { providers: [{ name: 'files', type: 'file', path: join(dir, 'secrets') }] },
    environments: options.environments.map((env) => ({
      name: env.name, kind: env.kind ?? 'airflow3', url: env.url, ...(env.publicUrl ? { publicUrl: env.publicUrl } : {}), zone: env.zone ?? 'dev', tier: 'dev', team: 'platform',
      credentials: { provider: 'files', secret: `airflow-${env.name}`, ...env.credentials }, timeoutMs: env.timeoutMs ?? 10_000, retries: env.retries ?? 1,
      ...(env.limits ? { limits: env.limits } : {}), ...(env.circuitBreaker ? { circuitBreaker: env.circuitBreaker } : {}), ...env.settings,
    })),
    catalog: { syncIntervalSeconds: 0 },
    logging: { level: 'silent' },
    ...options.extraConfig,
  }, { baseDir: dir })
  const app = await createApp(config, { logger: pino({ level: 'silent' }), backgroundSync: false, ...options.app })
  const close = app.close
  return Object.assign(app, {
    dir,
    tokenFor: (username: string) => app.devIssuer!.tokenFor(username),
    close: async () => {
      await close()
      rmSync(dir, { recursive: true, force: true })
    },
  })
}
