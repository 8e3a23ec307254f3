import type { Command } from 'commander'
import type { PolicyImpactView } from '../../contract/api-types.ts'
import { createPolicyEngine, readPolicyCases, readPolicyFolder, runPolicyCases, type PolicyCaseResult } from '../policy/index.ts'
import { EXIT } from './api-client.ts'
import { outputOf, withOutput, type CliContext } from './context.ts'
import { formatJson } from './format.ts'

/**
 * `conductor policy test`: runs YAML policy cases against a policy folder, offline, with the engine the server uses;
 * `conductor policy diff <folder>`: who would gain and who would lose what if the folder's `.cedar` files replaced the
 * loaded set (`POST /api/v1/policies/impact`, policy:write or audit:read).
 */
export function registerPolicyCommands(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description('Policy as code: test cases, and the impact of a change')

  withOutput(policy.command('test'))
    .description('Run policy test cases (YAML files, or folders of them; default: FOLDER/tests) against the policy folder, offline; exit code 1 when a case fails')
    .argument('[cases...]', 'case files or folders')
    .option('-f, --folder <folder>', 'the policy folder', 'policies')
    .action(async (cases: string[], opts: { folder: string; output?: string }) => {
      const files = await readPolicyCases(cases, opts.folder)
      const engine = await createPolicyEngine({ folder: opts.folder, decisionCacheSize: 0 })
      let results: PolicyCaseResult[]
      try {
        results = runPolicyCases(engine, files)
      } finally {
        engine.close()
      }
      const failed = results.filter((r) => !r.passed)
      if (outputOf(opts) === 'json') {
        ctx.out(formatJson({
          passed: results.length - failed.length, failed: failed.length,
          cases: results.map((r) => ({ file: r.file, name: r.name, passed: r.passed, failures: r.failures, decision: r.decision.decision, policyIds: r.decision.policyIds })),
        }))
      } else {
        for (const r of results) {
          ctx.out(`${r.passed ? 'PASS' : 'FAIL'}  ${r.file}: ${r.name}`)
          for (const failure of r.failures) ctx.out(`        ${failure}`)
        }
        ctx.out(`${results.length} case${results.length === 1 ? '' : 's'}: ${results.length - failed.length} passed, ${failed.length} failed`)
      }
      process.exitCode = failed.length === 0 ? EXIT.ok : EXIT.error
    })

  withOutput(policy.command('diff'))
    .description('Who would gain and who would lose which actions on which DAGs and environments if FOLDER\'s .cedar files replaced the loaded policies (policy:write or audit:read)')
    .argument('<folder>', 'the proposed policy folder')
    .option('--overlay', 'lay the files over the loaded set (add or change those files) instead of replacing it')
    .action(async (folder: string, opts: { overlay?: boolean; output?: string }) => {
      const sources = await readPolicyFolder(folder)
      const body = { mode: opts.overlay ? 'overlay' : 'replace', files: Object.fromEntries(sources.map((s) => [s.file, s.text])) }
      const impact = await (await ctx.client()).request<PolicyImpactView>('POST', '/api/v1/policies/impact', body)
      if (outputOf(opts) === 'json') { ctx.out(formatJson(impact)); return }
      for (const line of formatImpact(impact)) ctx.out(line)
    })
}

/** An impact as text: per principal, `+ action targets` for gains and `- action targets` for losses, then the counts. */
export function formatImpact(impact: PolicyImpactView): string[] {
  const lines: string[] = [`Compared with the loaded policies (version ${impact.policyVersion}); proposed files: ${impact.files.join(', ') || '(none)'}`]
  const target = (t: { environment: string | null; dagId: string | null }) => t.environment === null ? 'conductor' : t.dagId === null ? t.environment : `${t.environment}/${t.dagId}`
  const ids = (list: string[]) => list.length ? list.join(', ') : 'default deny'
  for (const p of impact.principals) {
    lines.push(`${p.id} (${p.type}${p.groups.length ? `; ${p.groups.join(', ')}` : ''})`)
    for (const a of p.actions) {
      for (const [sign, list] of [['+', a.gains], ['-', a.losses]] as const) {
        if (list.length === 0) continue
        const first = list[0]!
        lines.push(`  ${sign} ${a.action} on ${list.map(target).join(', ')}  (${ids(first.before)} → ${ids(first.after)})`)
      }
    }
  }
  if (impact.principals.length === 0) lines.push('No principal gains or loses anything.')
  const c = impact.counts
  lines.push(`${c.gains} gain${c.gains === 1 ? '' : 's'}, ${c.losses} loss${c.losses === 1 ? '' : 'es'} for ${impact.principals.length} principal${impact.principals.length === 1 ? '' : 's'} (of ${c.principals} seen, over ${c.dags} DAG${c.dags === 1 ? '' : 's'} in ${c.environments} environment${c.environments === 1 ? '' : 's'})${impact.truncated ? '; the list is cut short, see -o json' : ''}`)
  return lines
}
