import { scimInvalid, type ScimType } from './errors.ts'

/** An attribute reference as written: an optional schema URN, an attribute name and an optional sub-attribute. */
export interface AttrPath {
  /** The schema URN prefix as written, or null. */
  schema: string | null
  attr: string
  sub: string | null
}

/** A comparison operator of RFC 7644 §3.4.2.2. */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'

/** A literal a filter compares with. */
export type CompareValue = string | number | boolean | null

/** A parsed SCIM filter. In a `valuePath`'s inner filter, paths name sub-attributes of the multi-valued attribute. */
export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompareValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'valuePath'; path: AttrPath; filter: Filter }

/** A parsed PATCH `path`: an attribute, optionally narrowed by a value filter, optionally followed by a sub-attribute. */
export interface PatchPath {
  path: AttrPath
  filter: Filter | null
  /** The sub-attribute after `]`, as in `emails[type eq "work"].value`. */
  sub: string | null
}

const MAX_FILTER_LENGTH = 10_000
const MAX_DEPTH = 64
const COMPARE_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])

type Token =
  | { t: 'word'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: number; at: number }
  | { t: '(' | ')' | '[' | ']' | 'sub'; v: string; at: number }

/**
 * The schema URNs attribute paths may be prefixed with. A path like `urn:…:enterprise:2.0:User:manager.value` is split
 * at the longest known URN; an unknown URN is an error.
 */
export type KnownSchemas = readonly string[]

function tokenize(text: string, kind: ScimType): Token[] {
  const tokens: Token[] = []
  let i = 0
  const fail = (message: string) => scimInvalid(kind, `${message} at position ${i + 1}`)
  while (i < text.length) {
    const c = text[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue }
    if (c === '(' || c === ')' || c === '[' || c === ']') { tokens.push({ t: c, v: c, at: i }); i++; continue }
    if (c === '.' && tokens.at(-1)?.t === ']') {
      const m = /^\.([A-Za-z$][\w$-]*)/.exec(text.slice(i))
      if (!m) throw fail('expected a sub-attribute name after "]."')
      tokens.push({ t: 'sub', v: m[1]!, at: i })
      i += m[0].length
      continue
    }
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      if (j >= text.length) throw fail('unterminated string')
      let value: unknown
      try { value = JSON.parse(text.slice(i, j + 1)) } catch { throw fail('invalid string escape') }
      tokens.push({ t: 'string', v: value as string, at: i })
      i = j + 1
      continue
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))
    if (num && (c === '-' || /\d/.test(c))) {
      tokens.push({ t: 'number', v: Number(num[0]), at: i })
      i += num[0].length
      continue
    }
    const word = /^[A-Za-z$][\w$:.-]*/.exec(text.slice(i))
    if (!word) throw fail(`unexpected character ${JSON.stringify(c)}`)
    tokens.push({ t: 'word', v: word[0], at: i })
    i += word[0].length
  }
  return tokens
}

/** Splits `text` into schema URN, attribute and sub-attribute. */
export function parseAttrPath(text: string, schemas: KnownSchemas, kind: ScimType): AttrPath {
  let schema: string | null = null
  let rest = text
  if (/^urn:/i.test(text)) {
    const lower = text.toLowerCase()
    const known = [...schemas].sort((a, b) => b.length - a.length)
      .find((urn) => lower === urn.toLowerCase() || lower.startsWith(`${urn.toLowerCase()}:`))
    if (known === undefined) throw scimInvalid(kind, `unknown schema in attribute path "${text}"`)
    schema = known
    rest = text.slice(known.length + 1)
    if (rest === '') return { schema, attr: '', sub: null }
  }
  const parts = rest.split('.')
  if (parts.length > 2 || parts.some((p) => !/^[A-Za-z$][\w$-]*$/.test(p))) throw scimInvalid(kind, `invalid attribute path "${text}"`)
  return { schema, attr: parts[0]!, sub: parts[1] ?? null }
}

class Parser {
  readonly tokens: Token[]
  readonly schemas: KnownSchemas
  readonly kind: ScimType
  pos = 0
  depth = 0

  constructor(tokens: Token[], schemas: KnownSchemas, kind: ScimType) {
    this.tokens = tokens
    this.schemas = schemas
    this.kind = kind
  }

  peek(): Token | undefined { return this.tokens[this.pos] }

  fail(message: string): Error {
    const token = this.peek()
    return scimInvalid(this.kind, token ? `${message} at position ${token.at + 1}` : `${message} at the end of the filter`)
  }

  isWord(value: string): boolean {
    const token = this.peek()
    return token?.t === 'word' && token.v.toLowerCase() === value
  }

  expect(t: Token['t']): Token {
    const token = this.peek()
    if (token?.t !== t) throw this.fail(`expected "${t}"`)
    this.pos++
    return token
  }

  // FILTER = term *("or" term); term = factor *("and" factor)
  parseOr(inner: boolean): Filter {
    if (++this.depth > MAX_DEPTH) throw this.fail('the filter is nested too deeply')
    let left = this.parseAnd(inner)
    while (this.isWord('or')) {
      this.pos++
      left = { kind: 'or', left, right: this.parseAnd(inner) }
    }
    this.depth--
    return left
  }

  parseAnd(inner: boolean): Filter {
    let left = this.parseFactor(inner)
    while (this.isWord('and')) {
      this.pos++
      left = { kind: 'and', left, right: this.parseFactor(inner) }
    }
    return left
  }

  parseFactor(inner: boolean): Filter {
    const token = this.peek()
    if (token === undefined) throw this.fail('expected an expression')
    if (token.t === '(') {
      this.pos++
      const filter = this.parseOr(inner)
      this.expect(')')
      return filter
    }
    if (this.isWord('not')) {
      this.pos++
      if (this.peek()?.t !== '(') throw this.fail('"not" must be followed by "("')
      this.pos++
      const filter = this.parseOr(inner)
      this.expect(')')
      return { kind: 'not', filter }
    }
    if (token.t !== 'word') throw this.fail('expected an attribute name')
    this.pos++
    const path = parseAttrPath(token.v, this.schemas, this.kind)
    if (path.attr === '') throw scimInvalid(this.kind, `"${token.v}" names a schema, not an attribute`)
    if (this.peek()?.t === '[') {
      if (inner) throw this.fail('value filters cannot be nested')
      if (path.sub !== null) throw this.fail('a value filter follows an attribute, not a sub-attribute')
      this.pos++
      const filter = this.parseOr(true)
      this.expect(']')
      return { kind: 'valuePath', path, filter }
    }
    const opToken = this.peek()
    if (opToken?.t !== 'word') throw this.fail(`expected an operator after "${token.v}"`)
    const op = opToken.v.toLowerCase()
    this.pos++
    if (op === 'pr') return { kind: 'present', path }
    if (!COMPARE_OPS.has(op)) throw scimInvalid(this.kind, `unknown operator "${opToken.v}" at position ${opToken.at + 1}`)
    const valueToken = this.peek()
    if (valueToken === undefined) throw this.fail(`expected a value after "${opToken.v}"`)
    let value: CompareValue
    if (valueToken.t === 'string' || valueToken.t === 'number') value = valueToken.v
    else if (valueToken.t === 'word' && ['true', 'false', 'null'].includes(valueToken.v.toLowerCase())) {
      value = valueToken.v.toLowerCase() === 'null' ? null : valueToken.v.toLowerCase() === 'true'
    } else throw this.fail('expected a quoted string, a number, true, false or null')
    this.pos++
    return { kind: 'compare', path, op: op as CompareOp, value }
  }
}

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2): comparisons `eq ne co sw ew gt ge lt le`, `pr`, `and`, `or`, `not (…)`,
 * parentheses and value filters such as `emails[type eq "work" and value co "@example.com"]`. Operators and
 * attribute names are case-insensitive. Throws `invalid_input` with scimType `invalidFilter`.
 */
export function parseFilter(text: string, schemas: KnownSchemas): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw scimInvalid('invalidFilter', `the filter is longer than ${MAX_FILTER_LENGTH} characters`)
  const parser = new Parser(tokenize(text, 'invalidFilter'), schemas, 'invalidFilter')
  if (parser.tokens.length === 0) throw scimInvalid('invalidFilter', 'the filter is empty')
  const filter = parser.parseOr(false)
  if (parser.pos < parser.tokens.length) throw parser.fail('unexpected text after the filter')
  return filter
}

/**
 * Parses a PATCH operation's `path` (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:…:attr`, `attr[filter]` or
 * `attr[filter].sub`. Throws `invalid_input` with scimType `invalidPath`.
 */
export function parsePatchPath(text: string, schemas: KnownSchemas): PatchPath {
  if (text.length > MAX_FILTER_LENGTH) throw scimInvalid('invalidPath', 'the path is too long')
  const tokens = tokenize(text, 'invalidPath')
  const first = tokens[0]
  if (first?.t !== 'word') throw scimInvalid('invalidPath', `invalid path "${text}"`)
  const path = parseAttrPath(first.v, schemas, 'invalidPath')
  if (tokens.length === 1) return { path, filter: null, sub: null }
  if (tokens[1]!.t !== '[' || path.sub !== null || path.attr === '') throw scimInvalid('invalidPath', `invalid path "${text}"`)
  const parser = new Parser(tokens, schemas, 'invalidPath')
  parser.pos = 2
  const filter = parser.parseOr(true)
  parser.expect(']')
  let sub: string | null = null
  const next = parser.peek()
  if (next?.t === 'sub') {
    sub = next.v
    parser.pos++
  }
  if (parser.pos < tokens.length) throw scimInvalid('invalidPath', `unexpected text after the path "${text}"`)
  return { path, filter, sub }
}
