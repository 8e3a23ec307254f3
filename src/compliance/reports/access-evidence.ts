import type { AccessMatrixLike, EvidenceContext, EvidenceSection } from './evidence-context.ts'

/** The actions that make access privileged (ISO 27001 A 8.2). */
export const PRIVILEGED_ACTIONS: readonly string[] = ['policy:write', 'audit:read', 'environment:create', 'environment:manage', 'request:approve']

function rowsOf(matrix: AccessMatrixLike, only?: readonly string[]): EvidenceSection['rows'] {
  const rows: EvidenceSection['rows'] = []
  for (const cls of matrix.classes) {
    for (const entry of cls.entries) {
      if (only && !only.includes(entry.action)) continue
      for (const p of cls.principals) {
        rows.push({
          principalType: p.type, principal: p.id, displayName: p.displayName ?? null, groups: p.groups.join(' '), action: entry.action,
          environment: entry.environment ?? '*', dags: entry.dagIds === null ? '*' : entry.dagIds.join(' '), policies: entry.policyIds.join(' '),
        })
      }
    }
  }
  return rows
}

const NOTE = 'Recomputed from the policy version and the directory state recorded at that moment; the DAG catalog is the current one.'

async function matrixAt(ctx: EvidenceContext): Promise<{ matrix: AccessMatrixLike | null; notes: string[] }> {
  if (ctx.accessAsOf === null) return { matrix: null, notes: ['Access cannot be recomputed in this build (no access matrix).'] }
  return { matrix: await ctx.accessAsOf(ctx.asOf), notes: [NOTE] }
}

/** Who could do what as of `ctx.asOf` (default: the period's end). */
export async function accessEvidence(ctx: EvidenceContext): Promise<EvidenceSection> {
  const { matrix, notes } = await matrixAt(ctx)
  const rows = matrix ? rowsOf(matrix) : []
  return {
    kind: 'access', title: `Access as of ${ctx.asOf}`, notes, rows,
    summary: { asOf: ctx.asOf, principals: new Set(rows.map((r) => `${r.principalType}:${r.principal}`)).size, entries: rows.length },
  }
}

/** Who held privileged actions (policy:write, audit:read, environment:create/manage, request:approve) as of `ctx.asOf`. */
export async function privilegedAccessEvidence(ctx: EvidenceContext): Promise<EvidenceSection> {
  const { matrix, notes } = await matrixAt(ctx)
  const rows = matrix ? rowsOf(matrix, PRIVILEGED_ACTIONS) : []
  const summary: EvidenceSection['summary'] = { asOf: ctx.asOf }
  for (const action of PRIVILEGED_ACTIONS) summary[action] = new Set(rows.filter((r) => r.action === action).map((r) => `${r.principalType}:${r.principal}`)).size
  return { kind: 'privileged_access', title: `Privileged access as of ${ctx.asOf}`, notes, rows, summary }
}
