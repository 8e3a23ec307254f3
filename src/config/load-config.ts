import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { ConductorError } from '../core/index.ts'
import { configSchema, type Config } from './config.schema.ts'

/** Environment variables that override config keys, read once at start. */
export interface ConfigOverrides {
  DATABASE_URL?: string | undefined
  CONDUCTOR_HOST?: string | undefined
  CONDUCTOR_PORT?: string | undefined
  CONDUCTOR_LOG_LEVEL?: string | undefined
}

/**
 * Validates a parsed config object, applies overrides, resolves relative paths against
 * `baseDir`, and freezes the result. Throws `config_invalid` naming the first bad key's path.
 */
export function parseConfig(raw: unknown, options: { baseDir: string; overrides?: ConfigOverrides; source?: string }): Config {
  const input = structuredClone(raw ?? {}) as Record<string, Record<string, unknown> | undefined>
  const o = options.overrides ?? {}
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConductorError('config_invalid', `${options.source ?? 'config'}: expected a mapping at the top level`, { details: { path: '' } })
  }
  if (o.DATABASE_URL) input.database = { ...input.database, url: o.DATABASE_URL }
  if (o.CONDUCTOR_HOST) input.server = { ...input.server, host: o.CONDUCTOR_HOST }
  if (o.CONDUCTOR_PORT) input.server = { ...input.server, port: Number(o.CONDUCTOR_PORT) }
  if (o.CONDUCTOR_LOG_LEVEL) input.logging = { ...input.logging, level: o.CONDUCTOR_LOG_LEVEL }

  const result = configSchema.safeParse(input)
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }))
    const first = issues[0]!
    throw new ConductorError('config_invalid',
      `${options.source ?? 'config'}: ${first.path || '(top level)'}: ${first.message}` + (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''),
      { details: { path: first.path, issues } })
  }
  const config = result.data
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(options.baseDir, p))
  config.policy.folder = abs(config.policy.folder)
  for (const provider of config.secrets.providers) {
    if (provider.type === 'file') provider.path = abs(provider.path)
    if (provider.type === 'vault') {
      if (provider.caFile) provider.caFile = abs(provider.caFile)
      if (provider.auth.method === 'token' && provider.auth.tokenFile) provider.auth.tokenFile = abs(provider.auth.tokenFile)
      if (provider.auth.method === 'kubernetes') provider.auth.jwtPath = abs(provider.auth.jwtPath)
    }
  }
  for (const sink of config.audit.sinks) if (sink.type === 'syslog' && sink.tls.caFile) sink.tls.caFile = abs(sink.tls.caFile)
  if (config.database.url.startsWith('sqlite:')) {
    const file = config.database.url.slice('sqlite:'.length)
    config.database.url = file === ':memory:' ? 'sqlite::memory:' : `sqlite:${abs(file)}`
  }
  config.server.publicUrl ??= `http://${config.server.host}:${config.server.port}`
  return deepFreeze(config)
}

/** Reads and validates a `conductor.yaml` file. */
export function loadConfig(file: string, overrides: ConfigOverrides = {}): Config {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new ConductorError('config_invalid', `cannot read config file ${file}`, { cause, details: { path: '' } })
  }
  let raw: unknown
  try {
    raw = parse(text, { prettyErrors: true })
  } catch (cause) {
    throw new ConductorError('config_invalid', `${file}: not valid YAML: ${(cause as Error).message}`, { cause, details: { path: '' } })
  }
  return parseConfig(raw, { baseDir: dirname(resolve(file)), overrides, source: file })
}

/** The JSON Schema of `conductor.yaml`, for editors. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://conductor.dev/schemas/conductor.yaml.json',
    title: 'Airflow Conductor configuration (conductor.yaml)',
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('')
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
