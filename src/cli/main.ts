import { Command, CommanderError, InvalidArgumentError } from 'commander'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Explanation } from '../../contract/api-types.ts'
import { configJsonSchema, loadConfig, type Config } from '../config/index.ts'
import { isConductorError } from '../core/index.ts'
import { requestDevToken } from '../identity/index.ts'
import { ACTIONS, type Action } from '../policy/index.ts'
import { overridesFromEnv, startConductor } from '../main.ts'
import { ApiError, EXIT, exitCodeForApiError, exitCodeForCode } from './api-client.ts'
import { registerApprovalCommands } from './approval-commands.ts'
import { registerGrantCommands } from './grant-commands.ts'
import { registerExchangeCommands } from './exchange-commands.ts'
import { registerTrustCommands } from './trust-commands.ts'
import { registerAuditCommands } from './audit-commands.ts'
import { registerEvidenceCommands } from './evidence-commands.ts'
import { registerAuthCommands } from './auth-commands.ts'
import { registerCatalogCommands } from './catalog-commands.ts'
import { registerHitlCommands } from './hitl-commands.ts'
import { registerMcpCommand } from './mcp-command.ts'
import { registerPolicyCommands } from './policy-commands.ts'
import { createCliContext, DEFAULT_SERVER, type CliStream } from './context.ts'
import { registerRunCommands } from './run-commands.ts'
import { registerScimCommands } from './scim-commands.ts'
import { registerServiceAccountCommands } from './service-account-commands.ts'
import { registerScheduleCommands } from './schedule-commands.ts'
import { registerLinkCommands } from './link-commands.ts'
import { registerReviewCommands } from './review-commands.ts'
import { registerEnvironmentCommands } from './environment-commands.ts'
import { registerShadowCommands } from './shadow-commands.ts'
import { registerStatusCommands } from './status-commands.ts'

/**
 * Builds the `conductor` command. `env` is the process environment, read here and nowhere deeper;
 * `streams` default to the process's stdout and stderr.
 */
export function buildCli(env: NodeJS.ProcessEnv, streams: { stdout: CliStream; stderr: CliStream } = { stdout: process.stdout, stderr: process.stderr }): Command {
  const program = new Command('conductor')
    .description('Airflow Conductor: the identity-aware control plane in front of Airflow')
    .option('-c, --config <file>', 'conductor.yaml', env.CONDUCTOR_CONFIG ?? 'conductor.yaml')
    .option('-s, --server <url>', `Conductor's URL (default: $CONDUCTOR_URL, else the server of your last \`conductor login\`, else ${DEFAULT_SERVER})`)
    .option('-t, --token <token>', 'bearer token: an IdP access token or a Conductor API token (default: $CONDUCTOR_TOKEN, else the token of `conductor login`)')
    // Set before the subcommands are added, so they inherit it: usage errors become one line and exit code 2 (see runCli).
    .exitOverride()
    .configureOutput({
      writeErr: (text) => streams.stderr.write(text),
      outputError: (text, write) => write(`conductor: invalid_input: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
    })

  const ctx = createCliContext(program, env, streams)
  const out = ctx.out
  const globals = () => program.opts<{ config: string }>()
  const client = () => ctx.client()
  const config = (): Config => loadConfig(resolve(globals().config), overridesFromEnv(env))

  program.command('serve')
    .description('Start the Conductor server with the config file')
    .action(async () => {
      const { url, app } = await startConductor(globals().config, overridesFromEnv(env), env)
      out(`Conductor listening on ${url}`)
      if (app.devIssuer) out(`Development issuer at ${app.devIssuer.issuer}`)
      const metricsUrl = app.metricsUrl()
      if (metricsUrl) out(`Metrics at ${metricsUrl}/metrics`)
    })

  program.command('dev-token')
    .description('Print an access token for a demo user from the built-in development issuer')
    .requiredOption('-u, --user <username>', 'a demo user from identity.devIssuer.users')
    .option('--issuer <url>', 'the development issuer (default: from the config file)')
    .option('--audience <aud>', 'token audience (default: identity.audience from the config file, else "conductor")')
    .action(async (opts: { user: string; issuer?: string; audience?: string }) => {
      let issuer = opts.issuer
      let audience = opts.audience
      if (!issuer || !audience) {
        const file = resolve(globals().config)
        const cfg = existsSync(file) ? config() : undefined
        issuer ??= cfg ? `http://${cfg.identity.devIssuer.host}:${cfg.identity.devIssuer.port}` : 'http://127.0.0.1:7701'
        audience ??= cfg?.identity.audience ?? 'conductor'
      }
      out(await requestDevToken({ issuer, username: opts.user, audience }))
    })

  program.command('can-i')
    .description('Ask policy whether you (or --as someone) may do ACTION on ENV or ENV/DAG, and why')
    .argument('<action>', `one of ${ACTIONS.join(', ')}`, (v) => {
      if (!(ACTIONS as readonly string[]).includes(v)) throw new InvalidArgumentError(`unknown action; one of ${ACTIONS.join(', ')}`)
      return v as Action
    })
    .argument('<target>', 'ENV or ENV/DAG')
    .option('--as <principal>', 'explain for another principal, e.g. bob or ServiceAccount:etl-bot (needs audit:read)')
    .option('--groups <list>', 'with --as: comma-separated groups to assume')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (action: Action, target: string, opts: { as?: string; groups?: string; output: string }) => {
      const [environment, dag] = target.split('/', 2)
      const as = opts.as ? parsePrincipal(opts.as, opts.groups) : undefined
      const result = await (await client()).request<Explanation>(
        'POST', '/api/v1/authorize', { action, environment, ...(dag ? { dag } : {}), ...(as ? { as } : {}) })
      if (opts.output === 'json') out(JSON.stringify(result, null, 2))
      else {
        out(`${result.decision === 'allow' ? 'yes' : 'no'}: ${result.principal.type} ${result.principal.id} ${result.decision === 'allow' ? 'may' : 'may not'} ${action} ${target}`)
        for (const reason of result.reasons) out(`  ${reason}`)
        if (result.approval) out(`  once approved by ${result.approval.groups.map((g) => `${g.count} of ${g.group}`).join(' or ')}${result.approval.reasonRequired ? ', with a reason' : ''}`)
        for (const error of result.errors) out(`  policy error: ${error}`)
        const lineage = result.context?.lineage
        if (lineage) out(`  context.lineage: writes ${lineage.writes.length} known dataset(s)${lineage.writeTags.length ? `, tagged ${lineage.writeTags.join(', ')}` : ''}`)
      }
      process.exitCode = result.decision === 'allow' ? EXIT.ok : EXIT.denied
    })

  registerAuthCommands(program, ctx)
  registerCatalogCommands(program, ctx)
  registerRunCommands(program, ctx)
  registerAuditCommands(program, ctx, { config })
  registerEvidenceCommands(program, ctx)
  registerScimCommands(program, ctx, { config })
  registerShadowCommands(program, ctx)
  registerStatusCommands(program, ctx)
  registerApprovalCommands(program, ctx)
  registerGrantCommands(program, ctx)
  registerExchangeCommands(program, ctx)
  registerTrustCommands(program, ctx)
  registerHitlCommands(program, ctx)
  registerServiceAccountCommands(program, ctx)
  registerScheduleCommands(program, ctx)
  registerLinkCommands(program, ctx)
  registerReviewCommands(program, ctx)
  registerEnvironmentCommands(program, ctx)
  registerMcpCommand(program, ctx)
  registerPolicyCommands(program, ctx)

  const cfg = program.command('config').description('The configuration file')
  cfg.command('schema').description('Print the JSON Schema of conductor.yaml').action(() => { out(JSON.stringify(configJsonSchema(), null, 2)) })
  cfg.command('check').description('Validate the config file').action(() => {
    const c = config()
    out(`ok: ${c.environments.length} environment(s), ${c.identity.issuers.length} issuer(s), policies in ${c.policy.folder}`)
  })

  return program
}

function parsePrincipal(text: string, groups: string | undefined): { type: 'User' | 'ServiceAccount' | 'Agent'; id: string; groups?: string[] } {
  const [type, id] = text.includes(':') ? text.split(':', 2) as [string, string] : ['User', text]
  if (type !== 'User' && type !== 'ServiceAccount' && type !== 'Agent') throw new InvalidArgumentError('--as takes NAME, User:NAME, ServiceAccount:NAME or Agent:NAME')
  return { type, id, ...(groups ? { groups: groups.split(',').map((g) => g.trim()).filter(Boolean) } : {}) }
}

/** Runs the CLI and maps failures to one clear line and a distinct exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const program = buildCli(env)
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage
      return
    }
    if (error instanceof ApiError) {
      console.error(`conductor: ${error.code}: ${error.message}`)
      process.exitCode = exitCodeForApiError(error)
      return
    }
    console.error(`conductor: ${isConductorError(error) ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = (isConductorError(error) ? exitCodeForCode(error.code) : undefined) ?? EXIT.error
  }
}

if (import.meta.main) await runCli(process.argv, process.env)
