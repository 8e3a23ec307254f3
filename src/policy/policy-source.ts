import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConductorError } from '../core/index.ts'
import { cedar, type DetailedError, type PolicyJson } from './cedar.ts'
import type { PolicyErrorLocation, PolicyInfo } from './types.ts'

/** A policy file's name (relative to the folder) and text. */
export interface PolicySource {
  file: string
  text: string
}

/** A parsed, validated policy ready for the scope index. */
export interface CompiledPolicy extends PolicyInfo {
  json: PolicyJson
}

/** A parsed, validated policy set. */
export interface CompiledPolicySet {
  policies: CompiledPolicy[]
  files: string[]
  hash: string
}

interface Chunk {
  text: string
  /** Byte offset of the chunk in its file (Cedar reports byte offsets). */
  byteStart: number
  /** Char offset, in the chunk, of the first token (after leading whitespace and comments). */
  bodyStart: number
}

const schemaUrl = new URL('./conductor.cedarschema', import.meta.url)

/** Reads the Conductor Cedar schema (`conductor.cedarschema`, human-readable format). */
export async function readConductorSchema(): Promise<string> {
  return readFile(schemaUrl, 'utf8')
}

/** Reads every `*.cedar` file of `folder` (not recursive), sorted by name. */
export async function readPolicyFolder(folder: string): Promise<PolicySource[]> {
  let names: string[]
  try {
    names = (await readdir(folder, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.cedar')).map((e) => e.name)
  } catch (cause) {
    throw new ConductorError('policy_invalid', `cannot read the policy folder ${folder}`, { details: { file: '.', line: 0, column: 0, message: 'cannot read the policy folder' }, cause })
  }
  names.sort()
  return Promise.all(names.map(async (file) => ({ file, text: await readFile(join(folder, file), 'utf8') })))
}

/** sha256 over the sources sorted by name, each as name, NUL, content, NUL. */
export function hashSources(sources: PolicySource[]): string {
  const hash = createHash('sha256')
  for (const s of [...sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) hash.update(s.file).update('\0').update(s.text).update('\0')
  return hash.digest('hex')
}

/**
 * Parses and validates `sources` against `schema` in strict mode. Throws `policy_invalid` with details
 * `{ file, line, column, message }` (the first error; all of them in `details.errors`).
 */
export function compilePolicies(sources: PolicySource[], schema: string): CompiledPolicySet {
  const policies: CompiledPolicy[] = []
  const chunkOf = new Map<string, { source: PolicySource; chunk: Chunk }>()
  for (const source of sources) {
    const parsed = cedar.checkParsePolicySet({ staticPolicies: source.text })
    const chunks = splitPolicies(source.text)
    if (parsed.type === 'failure') {
      const template = chunks.find((c) => /\?(principal|resource)\b/.test(c.text.slice(c.bodyStart)))
      if (template !== undefined && (parsed.errors[0]?.sourceLocations ?? []).length === 0) {
        const { line } = locate(source, template.byteStart + Buffer.byteLength(template.text.slice(0, template.bodyStart)), undefined)
        fail([{ file: source.file, line, column: 1, message: 'policy templates (?principal, ?resource) are not supported' }])
      }
      fail([locate(source, 0, parsed.errors[0])])
    }
    chunks.forEach((chunk, i) => {
      const body = chunk.text.slice(chunk.bodyStart)
      const line = locate(source, chunk.byteStart + Buffer.byteLength(chunk.text.slice(0, chunk.bodyStart)), undefined).line
      const json = cedar.policyToJson(chunk.text)
      if (json.type === 'failure') fail([locate(source, chunk.byteStart, json.errors[0])])
      const annotated = json.json.annotations?.id
      const id = annotated ?? `${source.file}:${i + 1}`
      if (chunkOf.has(id)) {
        const first = chunkOf.get(id)!
        fail([{ file: source.file, line, column: 1, message: `duplicate policy id "${id}" (first used in ${first.source.file})` }])
      }
      chunkOf.set(id, { source, chunk })
      policies.push({ id, file: source.file, line, effect: json.json.effect, text: body, json: json.json })
    })
  }

  if (policies.length > 0) {
    const staticPolicies: Record<string, string> = {}
    for (const [id, { chunk }] of chunkOf) staticPolicies[id] = chunk.text
    const answer = cedar.validate({ schema, policies: { staticPolicies }, validationSettings: { mode: 'strict' } })
    if (answer.type === 'failure') {
      throw new ConductorError('internal', `policy validation could not run: ${answer.errors.map((e) => e.message).join('; ')}`)
    }
    if (answer.validationErrors.length > 0) {
      const errors = answer.validationErrors.map((v) => {
        const at = chunkOf.get(v.policyId)
        if (at === undefined) return { file: '', line: 0, column: 0, message: v.error.message }
        return locate(at.source, at.chunk.byteStart, v.error)
      })
      errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column))
      fail(errors)
    }
  }
  return { policies, files: sources.map((s) => s.file), hash: hashSources(sources) }
}

function fail(errors: PolicyErrorLocation[]): never {
  const first = errors[0]!
  throw new ConductorError('policy_invalid', `${first.file}:${first.line}:${first.column}: ${first.message}`, {
    details: { file: first.file, line: first.line, column: first.column, message: first.message, errors },
  })
}

/** Turns a Cedar error (byte offsets relative to a chunk starting at `byteBase`) into a file location. */
function locate(source: PolicySource, byteBase: number, error: DetailedError | undefined): PolicyErrorLocation {
  const offset = byteBase + (error?.sourceLocations?.[0]?.start ?? 0)
  const before = Buffer.from(source.text, 'utf8').subarray(0, offset).toString('utf8')
  const lineStart = before.lastIndexOf('\n') + 1
  let message = error?.message ?? ''
  const label = error?.sourceLocations?.[0]?.label
  if (label) message += ` (${label})`
  if (error?.help) message += `; ${error.help}`
  return { file: source.file, line: before.split('\n').length, column: before.length - lineStart + 1, message }
}

/**
 * Splits policy-set text into one chunk per policy, at each top-level `;` (outside strings and `//` comments).
 * Trailing whitespace and comments after the last policy are dropped.
 */
export function splitPolicies(text: string): Chunk[] {
  const chunks: Chunk[] = []
  let start = 0
  let i = 0
  const push = (end: number) => {
    const chunkText = text.slice(start, end)
    chunks.push({ text: chunkText, byteStart: Buffer.byteLength(text.slice(0, start)), bodyStart: firstToken(chunkText) })
    start = end
  }
  while (i < text.length) {
    const c = text[i]
    if (c === '"') {
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      i++
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === ';') {
      i++
      push(i)
    } else {
      i++
    }
  }
  return chunks
}

function firstToken(text: string): number {
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i]!)) i++
    else if (text[i] === '/' && text[i + 1] === '/') { while (i < text.length && text[i] !== '\n') i++ }
    else break
  }
  return i
}
