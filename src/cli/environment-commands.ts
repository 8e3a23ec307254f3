import { InvalidArgumentError, type Command } from 'commander'
import type { EnvironmentList, ManagedEnvironmentAnswer, ManagedEnvironmentView } from '../../contract/api-types.ts'
import { ENVIRONMENT_COLUMNS } from './catalog-commands.ts'
import { outputOf, withOutput, type CliContext } from './context.ts'
import { formatJson, renderFields, renderTable } from './format.ts'
import { parseConf } from './run-commands.ts'

/** `PROVIDER/SECRET`: a secret reference, never the secret. */
export function parseSecretRef(value: string): { provider: string; secret: string } {
  const slash = value.indexOf('/')
  if (slash <= 0 || slash === value.length - 1) throw new InvalidArgumentError('expected PROVIDER/SECRET, a secret reference such as vault/airflow/prod (never the secret itself)')
  return { provider: value.slice(0, slash), secret: value.slice(slash + 1) }
}

/** What `conductor environments create|update` prints. */
export function managedEnvironmentFields(e: ManagedEnvironmentView): [string, string][] {
  return [
    ['environment', e.name], ['kind', e.kind], ['url', e.url], ['zone', e.zone], ['tier', e.tier], ['team', e.team ?? '-'], ['fully governed', e.fullyGoverned ? 'yes' : 'no'],
    ['credentials', `${e.credentials.provider}/${e.credentials.secret}${e.credentials.kind ? ` (${e.credentials.kind})` : ''}`], ['source', e.source],
    ['generation', String(e.generation)], ['created', `${e.createdAt} by ${e.createdBy}`], ['updated', `${e.updatedAt} by ${e.updatedBy}`],
  ]
}

interface EnvironmentOptions {
  from?: Record<string, unknown>
  url?: string
  kind?: string
  zone?: string
  tier?: string
  team?: string
  fullyGoverned?: boolean
  secret?: { provider: string; secret: string }
  credentialKind?: string
  output?: string
}

/** The body the options describe: `--from` first, each option over it. */
function bodyOf(opts: EnvironmentOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { ...opts.from }
  for (const key of ['url', 'kind', 'zone', 'tier', 'team', 'fullyGoverned'] as const) if (opts[key] !== undefined) body[key] = opts[key]
  if (opts.secret || opts.credentialKind) {
    const from = (typeof body.credentials === 'object' && body.credentials !== null ? body.credentials : {}) as Record<string, unknown>
    body.credentials = { ...from, ...opts.secret, ...(opts.credentialKind ? { kind: opts.credentialKind } : {}) }
  }
  return body
}

function withEnvironmentOptions(command: Command): Command {
  return withOutput(command)
    .option('--from <json>', 'an environments[] entry as in conductor.yaml: a JSON object, @file, or @- for stdin (the options below override it)', parseConf)
    .option('--url <url>', 'Airflow\'s base URL')
    .option('--kind <kind>', 'airflow3 (default) or airflow2')
    .option('--zone <zone>', 'compliance zone, e.g. pci, eu')
    .option('--tier <tier>', 'e.g. prod, dev')
    .option('--team <team>', 'the owning team')
    .option('--fully-governed', 'everything here should go through Conductor (shadow activity is high severity)')
    .option('--secret <provider/secret>', 'the secret reference Conductor reaches this Airflow with, e.g. vault/airflow/prod (never the secret itself)', parseSecretRef)
    .option('--credential-kind <kind>', 'how the secret is used: airflow-token, basic, bearer or conductor-identity')
}

/** `conductor environments list|create|update|delete`: environments defined through the API (docs/environments.md). */
export function registerEnvironmentCommands(program: Command, ctx: CliContext): void {
  const environments = program.command('environments').description('Define, change and delete environments through the API (policy decides: environment:create, environment:manage; docs/environments.md)')
  const path = (name: string) => `/api/v1/environments/${encodeURIComponent(name)}`
  const print = (body: ManagedEnvironmentAnswer, opts: { output?: string }, line: string) => {
    if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
    ctx.out(line)
    for (const field of renderFields(managedEnvironmentFields(body.environment), ctx.width())) ctx.out(field)
  }

  withOutput(environments.command('list'))
    .description('The environments you may read, from config and from the API, with their health')
    .action(async (opts: { output?: string }) => {
      const body = await (await ctx.client()).request<EnvironmentList>('GET', '/api/v1/environments')
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderTable(body.environments, [...ENVIRONMENT_COLUMNS.slice(0, 1), { header: 'SOURCE', value: (e) => e.source, min: 6 }, ...ENVIRONMENT_COLUMNS.slice(1)], ctx.width())) ctx.out(line)
    })

  withEnvironmentOptions(environments.command('create'))
    .description('Define an environment: in force on every replica within seconds')
    .argument('<name>')
    .action(async (name: string, opts: EnvironmentOptions) => {
      const body = await (await ctx.client()).request<ManagedEnvironmentAnswer>('POST', '/api/v1/environments', { ...bodyOf(opts), name })
      print(body, opts, `created environment ${body.environment.name}`)
    })

  withEnvironmentOptions(environments.command('update'))
    .description('Change an environment defined through the API (only the fields given; --secret replaces the credentials)')
    .argument('<name>')
    .action(async (name: string, opts: EnvironmentOptions) => {
      const patch = bodyOf(opts)
      if (Object.keys(patch).length === 0) throw new InvalidArgumentError('nothing to change: give --url, --zone, --tier, --team, --secret, … or --from')
      const body = await (await ctx.client()).request<ManagedEnvironmentAnswer>('PATCH', path(name), patch)
      print(body, opts, `updated environment ${body.environment.name} (generation ${body.environment.generation})`)
    })

  withOutput(environments.command('delete'))
    .description('Delete an environment defined through the API: it stops answering; its requests and audit stay readable')
    .argument('<name>')
    .action(async (name: string, opts: { output?: string }) => {
      const body = await (await ctx.client()).request<ManagedEnvironmentAnswer>('DELETE', path(name))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      ctx.out(`deleted environment ${body.environment.name}`)
    })
}
