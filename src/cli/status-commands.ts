import type { Command } from 'commander'
import { EXIT } from './api-client.ts'
import type { AuditSinkStatus, EnvironmentStatus, SecretStatus, StatusView } from '../../contract/api-types.ts'
import { outputOf, withOutput, type CliContext } from './context.ts'
import { formatJson, renderTable, type Column } from './format.ts'

/** A duration in seconds as people read it: `42s`, `5m`, `3h`, `2d`. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return '-'
  if (seconds < 120) return `${Math.round(seconds)}s`
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`
  return `${Math.round(seconds / 86_400)}d`
}

/** The environments table of `conductor status`. */
export const ENVIRONMENT_COLUMNS: Column<EnvironmentStatus>[] = [
  { header: 'ENV', value: (e) => e.name, min: 6 },
  { header: 'HEALTH', value: environmentHealth, min: 7 },
  { header: 'CIRCUIT', value: (e) => e.circuit ?? '-', min: 9 },
  { header: 'SYNCED', value: (e) => (e.lastSyncAt ? `${formatAge(e.syncAgeSeconds)} ago` : 'never'), min: 8 },
  { header: 'DAGS', value: (e) => (e.dagCount === null ? '-' : String(e.dagCount)), align: 'right', min: 4 },
  { header: 'AIRFLOW', value: (e) => e.airflowVersion ?? '-', min: 7, drop: 1 },
  { header: 'ERROR', value: (e) => (secretsFailing(e) ? e.credentials?.error ?? '' : e.lastError ?? ''), min: 5, drop: 0 },
]

/** Whether the environment's credentials provider has failed past its `maxStaleSeconds` (no usable value). */
function secretsFailing(e: EnvironmentStatus): boolean {
  return e.credentials !== null && !e.credentials.ok && !e.credentials.stale
}

/** `ok`, `down` (Airflow unreachable at the last sync), `unhealthy` (its credentials provider is failing), `unknown`. */
export function environmentHealth(e: EnvironmentStatus): string {
  if (secretsFailing(e)) return 'unhealthy'
  return e.reachable === null ? 'unknown' : e.reachable ? 'ok' : 'down'
}

/** The audit sinks table of `conductor status`: how far each sink has been delivered, how far behind it is, why it fails. */
export const AUDIT_SINK_COLUMNS: Column<AuditSinkStatus>[] = [
  { header: 'SINK', value: (s) => s.name, min: 6 },
  { header: 'TYPE', value: (s) => s.type, min: 6 },
  { header: 'CURSOR', value: (s) => (s.cursor === null ? '-' : String(s.cursor)), align: 'right', min: 6 },
  { header: 'LAG', value: (s) => (s.lagEvents === 0 ? '0' : `${s.lagEvents} (${formatAge(s.lagSeconds)})`), align: 'right', min: 5 },
  { header: 'STATE', value: (s) => (s.failures > 0 ? `failing x${s.failures}` : 'ok'), min: 7 },
  { header: 'LAST ERROR', value: (s) => (s.lastError ? `${s.lastError}${s.lastErrorAt ? ` (${s.lastErrorAt})` : ''}` : ''), min: 10, drop: 0 },
]

/** The table of `conductor secrets check`: each secret reference's provider, version and age, never a value. */
export const SECRET_COLUMNS: Column<SecretStatus>[] = [
  { header: 'PROVIDER', value: (s) => s.provider, min: 8 },
  { header: 'SECRET', value: (s) => s.secret, min: 20 },
  { header: 'VERSION', value: (s) => s.version ?? '-', min: 7, max: 13, drop: 2 },
  { header: 'AGE', value: (s) => formatAge(s.ageSeconds), min: 3 },
  { header: 'STATUS', value: (s) => (s.ok ? 'ok' : s.stale ? 'stale' : 'failing'), min: 7 },
  { header: 'USED BY', value: (s) => s.usedBy, min: 7, drop: 1 },
  { header: 'ERROR', value: (s) => s.error ?? '', min: 5, drop: 0 },
]

/** The lines `conductor status` prints for `status` (without the environments table). */
export function statusSummary(status: StatusView): string[] {
  const lines = [
    `Conductor ${status.version}, up ${formatAge(status.uptimeSeconds)} (since ${status.startedAt})`,
    `database  ${status.database.kind}, ${status.database.ready ? 'ready' : `NOT READY${status.database.error ? `: ${status.database.error}` : ''}`}`,
    `policy    version ${status.policy.version}, ${status.policy.policyCount} policies${status.policy.lastReloadError ? `; last reload REFUSED: ${JSON.stringify(status.policy.lastReloadError)}` : ''}`,
  ]
  if (!status.detailed) {
    lines.push('(environments, SCIM and replicas need audit:read)')
    return lines
  }
  lines.push(`SCIM      ${status.scim?.enabled ? 'on' : 'off'}`)
  lines.push(`replicas  ${status.replicas === null ? 'not tracked' : status.replicas.map((r) => `${r.id}${r.leases.length ? ` (${r.leases.join(', ')})` : ''}`).join('; ') || 'none'}`)
  return lines
}

/**
 * `conductor status`: the server's health, database, policy, environments (health, circuit, sync age), SCIM, replicas and audit sinks (cursor, lag, last error).
 * `conductor secrets check`: every secret reference's provider, version and age; exits 5 (unavailable) when one cannot be read.
 */
export function registerStatusCommands(program: Command, ctx: CliContext): void {
  withOutput(program.command('status'))
    .description('The server at a glance: version, uptime, database, policy version; environments, SCIM, replicas and audit sinks with audit:read')
    .action(async (opts: { output?: string }) => {
      const status = await (await ctx.client()).request<StatusView>('GET', '/api/v1/status')
      if (outputOf(opts) === 'json') { ctx.out(formatJson(status)); return }
      for (const line of statusSummary(status)) ctx.out(line)
      if (status.environments) {
        if (status.environments.length === 0) ctx.out('no environments configured')
        else for (const line of renderTable(status.environments, ENVIRONMENT_COLUMNS, ctx.width())) ctx.out(line)
      }
      if (status.auditSinks && status.auditSinks.length > 0) {
        ctx.out('')
        for (const line of renderTable(status.auditSinks, AUDIT_SINK_COLUMNS, ctx.width())) ctx.out(line)
      }
    })
  const secrets = program.command('secrets').description('Secrets Conductor reads from its providers (never their values)')
  withOutput(secrets.command('check'))
    .description('Read every secret reference in the server\'s config through its provider: provider, version, age and status, never a value (audit:read)')
    .action(async (opts: { output?: string }) => {
      const { secrets: list } = await (await ctx.client()).request<{ secrets: SecretStatus[] }>('GET', '/api/v1/secrets/status')
      if (outputOf(opts) === 'json') ctx.out(formatJson(list))
      else if (list.length === 0) ctx.out('no secret references in config')
      else for (const line of renderTable(list, SECRET_COLUMNS, ctx.width())) ctx.out(line)
      if (list.some((s) => !s.ok && !s.stale)) process.exitCode = EXIT.unavailable
    })
}
