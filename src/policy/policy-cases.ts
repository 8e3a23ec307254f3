import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { ConductorError } from '../core/index.ts'
import { ACTIONS, type AuthorizationRequest, type Decision, type PolicyEngine, type RequestContext } from './types.ts'

const name = z.string().min(1).max(256)

const caseSchema = z.strictObject({
  name,
  principal: z.strictObject({
    type: z.enum(['User', 'ServiceAccount', 'Agent']).default('User'),
    id: name,
    groups: z.array(name).default([]),
    email: z.string().optional(),
    sponsor: z.string().optional(),
  }),
  action: z.enum(ACTIONS),
  environment: z.strictObject({
    name,
    zone: z.string().default('default'),
    tier: z.string().default('dev'),
    team: z.string().nullable().default(null),
    fullyGoverned: z.boolean().default(false),
  }).optional(),
  dag: z.strictObject({
    id: name,
    tags: z.array(z.string()).default([]),
    owners: z.array(z.string()).default([]),
    paused: z.boolean().default(false),
    team: z.string().nullable().default(null),
    allowedRunTypes: z.array(z.string()).nullable().default(null),
  }).optional(),
  group: name.optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  expect: z.enum(['allow', 'deny']),
  /** The determining policies, in any order. */
  policyIds: z.array(name).optional(),
  /** For an allow: the groups whose approval it waits for; `[]` = it runs at once. */
  approval: z.array(name).optional(),
})

/** One policy test case as written in a YAML file (after defaults). */
export type PolicyCase = z.infer<typeof caseSchema>

/** The cases of one file. */
export interface PolicyCaseFile {
  file: string
  cases: PolicyCase[]
}

/** The outcome of one case: `failures` empty when the engine answered as expected. */
export interface PolicyCaseResult {
  file: string
  name: string
  passed: boolean
  /** What differed, one line each (e.g. `expected allow, got deny`). */
  failures: string[]
  decision: Decision
}

const fileSchema = z.union([z.array(z.unknown()), z.strictObject({ cases: z.array(z.unknown()) })])

/**
 * Parses one YAML case file: a list of cases, or `{ cases: [...] }`. Throws `invalid_input` naming the file, the case
 * (its name, else its position) and the field, e.g. `policies/tests/x.yaml: case "bob triggers" (2): expect: …`.
 */
export function parsePolicyCases(file: string, text: string): PolicyCaseFile {
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (cause) {
    throw new ConductorError('invalid_input', `${file}: not valid YAML: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, { details: { file, field: '' }, cause })
  }
  const top = fileSchema.safeParse(doc ?? [])
  if (!top.success) throw new ConductorError('invalid_input', `${file}: expected a list of cases (or { cases: [...] })`, { details: { file, field: 'cases' } })
  const raw = Array.isArray(top.data) ? top.data : top.data.cases
  const cases = raw.map((item, i) => {
    const parsed = caseSchema.safeParse(item)
    if (parsed.success) return parsed.data
    const label = typeof (item as { name?: unknown } | null)?.name === 'string' ? `case "${(item as { name: string }).name}" (${i + 1})` : `case ${i + 1}`
    const issue = parsed.error.issues[0]!
    const field = issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '')
    const where = issue.code === 'unrecognized_keys' ? [...issue.path.map(String), ...issue.keys].join('.') : field
    throw new ConductorError('invalid_input', `${file}: ${label}: ${where || '(case)'}: ${issue.message}`, { details: { file, case: i + 1, field: where } })
  })
  return { file, cases }
}

/**
 * Reads the case files given (a file, or a folder whose `*.yaml` / `*.yml` files are read, sorted by name). With none
 * given, reads `<policyFolder>/tests`.
 */
export async function readPolicyCases(paths: readonly string[], policyFolder: string): Promise<PolicyCaseFile[]> {
  const files: string[] = []
  for (const path of paths.length > 0 ? paths : [join(policyFolder, 'tests')]) {
    let isFolder: boolean
    try {
      isFolder = (await stat(path)).isDirectory()
    } catch (cause) {
      throw new ConductorError('invalid_input', `${path}: no such case file or folder`, { details: { file: path, field: '' }, cause })
    }
    if (!isFolder) { files.push(path); continue }
    const names = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => e.name).sort()
    files.push(...names.map((n) => join(path, n)))
  }
  return Promise.all(files.map(async (file) => parsePolicyCases(file, await readFile(file, 'utf8'))))
}

/** The policy question a case asks. */
export function caseRequest(c: PolicyCase): AuthorizationRequest {
  const attributes: Record<string, unknown> = { username: c.principal.id }
  if (c.principal.email !== undefined) attributes.email = c.principal.email
  if (c.principal.sponsor !== undefined) attributes.sponsor = c.principal.sponsor
  return {
    principal: { type: c.principal.type, id: c.principal.id, groups: c.principal.groups, attributes },
    action: c.action,
    ...(c.environment ? {
      resource: {
        environment: { ...c.environment },
        ...(c.dag ? { dag: { dagId: c.dag.id, tags: c.dag.tags, owners: c.dag.owners, paused: c.dag.paused, team: c.dag.team, allowedRunTypes: c.dag.allowedRunTypes } } : {}),
      },
    } : {}),
    ...(c.context ? { context: c.context as RequestContext } : {}),
    ...(c.group ? { group: c.group } : {}),
  }
}

/** Runs every case against `engine` (the one the server uses, loaded from the folder under test). */
export function runPolicyCases(engine: Pick<PolicyEngine, 'authorize'>, files: readonly PolicyCaseFile[]): PolicyCaseResult[] {
  const results: PolicyCaseResult[] = []
  for (const { file, cases } of files) {
    for (const c of cases) {
      let decision: Decision
      try {
        decision = engine.authorize(caseRequest(c))
      } catch (cause) {
        throw new ConductorError('invalid_input', `${file}: case "${c.name}": ${cause instanceof Error ? cause.message : String(cause)}`, { details: { file, case: c.name, field: '' }, cause })
      }
      const failures: string[] = []
      if (decision.decision !== c.expect) failures.push(`expected ${c.expect}, got ${decision.decision}${decision.policyIds.length ? ` (by ${decision.policyIds.join(', ')})` : ''}`)
      if (c.policyIds && !sameSet(c.policyIds, decision.policyIds)) failures.push(`expected policies [${c.policyIds.join(', ')}], got [${decision.policyIds.join(', ')}]`)
      if (c.approval) {
        const groups = decision.approval?.groups.map((g) => g.group) ?? []
        if (!sameSet(c.approval, groups)) failures.push(`expected approval by [${c.approval.join(', ')}], got [${groups.join(', ')}]`)
      }
      for (const error of decision.errors) failures.push(`policy error: ${error}`)
      results.push({ file, name: c.name, passed: failures.length === 0, failures, decision })
    }
  }
  return results
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort()
  const y = [...new Set(b)].sort()
  return x.length === y.length && x.every((v, i) => v === y[i])
}
