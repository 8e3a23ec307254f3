import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import { ApiError, UNREACHABLE } from '../client/index.ts'
import { fromTarGz, verifyEvidenceBundle, type AccessAsOf } from '../compliance/index.ts'
import { ConductorError } from '../core/index.ts'
import { parseTimeOption } from './audit-commands.ts'
import { outputOf, withOutput, withQuery, type CliContext } from './context.ts'
import { formatJson, renderTable } from './format.ts'

/** POSTs `body` to `path` and returns the answer's bytes (the JSON client reads text only). */
async function download(ctx: CliContext, path: string, body: unknown): Promise<Buffer> {
  const { token } = await ctx.token()
  let response: Response
  try {
    response = await fetch(new URL(path, ctx.server()), {
      method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(600_000),
      headers: { 'content-type': 'application/json', accept: 'application/gzip, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    })
  } catch (cause) {
    throw new ApiError(503, UNREACHABLE, `cannot reach Conductor at ${ctx.server()}: ${(cause as Error).message}`)
  }
  const bytes = Buffer.from(await response.arrayBuffer())
  if (!response.ok) {
    let error: { code?: string; message?: string; details?: Record<string, unknown> } | undefined
    try { error = (JSON.parse(bytes.toString('utf8')) as { error?: typeof error }).error } catch { error = undefined }
    throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? response.statusText, error?.details)
  }
  return bytes
}

/** The access matrix as one row per principal class × action × target. */
function accessRows(matrix: AccessAsOf): { who: string; action: string; target: string; policies: string }[] {
  return matrix.classes.flatMap((c) => c.entries.map((e) => ({
    who: c.principals.map((p) => p.id).join(', '), action: e.action,
    target: e.environment === null ? '*' : `${e.environment}/${e.dagIds === null ? '*' : e.dagIds.join(',')}`, policies: e.policyIds.join(', '),
  })))
}

/** `conductor evidence export|verify` and `conductor access --as-of`. */
export function registerEvidenceCommands(program: Command, ctx: CliContext): void {
  const evidence = program.command('evidence').description('Compliance evidence bundles: export one for a period, verify one offline')

  evidence.command('export')
    .description('Build the evidence bundle for a period on the server (audit:read) and write its files to --out')
    .requiredOption('--from <time>', 'start of the period (included): ISO 8601, a date, or a span ago (90d)', (v) => parseTimeOption(v))
    .requiredOption('--to <time>', 'end of the period (excluded): same forms', (v) => parseTimeOption(v))
    .option('--as-of <time>', 'show access as of this moment (default: the period\'s end)', (v) => parseTimeOption(v))
    .requiredOption('--out <dir>', 'the folder to write the bundle into (created; existing files of the same name are replaced)')
    .action(async (opts: { from: string; to: string; asOf?: string; out: string }) => {
      const bytes = await download(ctx, '/api/v1/compliance/evidence', { from: opts.from, to: opts.to, ...(opts.asOf ? { asOf: opts.asOf } : {}) })
      const files = await fromTarGz(bytes)
      for (const [path, content] of files) {
        const target = join(opts.out, path)
        await mkdir(dirname(target), { recursive: true })
        await writeFile(target, content)
      }
      const manifest = JSON.parse(files.get('manifest.json')?.toString('utf8') ?? '{}') as { checkpoint?: { seq: number }; pdf?: { rendered: boolean; reason: string | null } }
      ctx.out(`wrote ${files.size} files to ${opts.out} (audit checkpoint ${manifest.checkpoint?.seq ?? '?'}${manifest.pdf?.rendered ? '' : `; no PDF: ${manifest.pdf?.reason ?? 'unknown'}`})`)
    })

  evidence.command('verify <dir>')
    .description('Verify a bundle offline: every file\'s hash, no file missing or extra, the manifest and checkpoint signatures, and the audit events\' chain to the checkpoint')
    .option('--key <jwk-file>', 'the public key (JWK, as GET /api/v1/audit/checkpoints publishes it) to trust instead of the bundle\'s own')
    .action(async (dir: string, opts: { key?: string }) => {
      const key = opts.key === undefined ? undefined : JSON.parse(await readFile(opts.key, 'utf8')) as { x: string }
      const result = await verifyEvidenceBundle(dir, key)
      for (const check of result.checks) ctx.out(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`)
      const bad = result.checks.find((c) => !c.ok)
      if (bad) throw new ConductorError('evidence_bundle_broken', `the evidence bundle does not verify: ${bad.file ?? bad.name} ${bad.detail}`, { details: { file: bad.file ?? null } })
      ctx.out(`bundle intact: ${result.checks.length} checks passed`)
    })

  withOutput(program.command('access'))
    .description('Who could do what as of a moment, recomputed from the policy version and directory state then (audit:read)')
    .option('--as-of <time>', 'the moment (default now): ISO 8601, a date, or a span ago (30d)', (v) => parseTimeOption(v))
    .action(async (opts: { asOf?: string; output?: string }) => {
      const matrix = await (await ctx.client()).request<AccessAsOf>('GET', withQuery('/api/v1/compliance/access', { asOf: opts.asOf }))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(matrix)); return }
      ctx.out(`access as of ${matrix.asOf}: policy version ${matrix.policy.version} (${matrix.policy.hash.slice(0, 12)}), ${matrix.principals} principals, current DAG catalog`)
      for (const line of renderTable(accessRows(matrix), [
        { header: 'WHO', value: (r) => r.who, min: 10 }, { header: 'ACTION', value: (r) => r.action, min: 11 },
        { header: 'TARGET', value: (r) => r.target, min: 10 }, { header: 'POLICIES', value: (r) => r.policies, min: 8, drop: 0 },
      ], ctx.width())) ctx.out(line)
    })
}
