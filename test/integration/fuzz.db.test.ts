/**
 * Property-based fuzzing of every `/api/v1` operation, driven by `/openapi.json` of a running app: for each
 * operation, valid inputs generated from its declared schemas and invalid ones (hostile path segments, wrong types,
 * unknown fields, huge strings, deep nesting, `__proto__`, broken JSON, other media types), under several callers.
 * Every answer must be either a declared 2xx matching its schema, or Conductor's error envelope with a registry code;
 * no 5xx except 503 from the environment that is down on purpose; and no request is left half-written.
 *
 * Per engine: the ledger and audit writes differ between SQLite and PostgreSQL (PostgreSQL text refuses NUL, for
 * one), so what a generated input does to the store is part of what is tested.
 * Bounded: at most RUNS inputs and TIME_LIMIT_MS per operation; the seed is printed on failure to replay it.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { isErrorCode } from '../../src/core/index.ts'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

type TestApp = Awaited<ReturnType<typeof startTestApp>>
type Schema = Record<string, unknown>
interface Operation { method: string; path: string; parameters: { in: string; name: string; required?: boolean; schema: Schema }[]; body: Schema | null; responses: Record<string, Schema | null> }
interface Input { path: string; query: string; headers: Record<string, string>; payload: string | undefined; who: string }

// CONDUCTOR_FUZZ_RUNS explores further locally (the time limit grows with it); CONDUCTOR_FUZZ_SEED replays a failure.
const RUNS = Number(process.env.CONDUCTOR_FUZZ_RUNS ?? 100)
// A loaded machine may need seconds for the first input of an operation: the budget never drops below 5 s.
const TIME_LIMIT_MS = Math.max(5_000, 12 * RUNS)
const UNLIMITED = { maxConcurrentWrites: 64, writesPerSecond: 10_000, maxConcurrentReads: 64, readsPerSecond: 10_000, maxWaitMs: 1_000 }
const SEED = Number(process.env.CONDUCTOR_FUZZ_SEED ?? Date.now() % 2 ** 31)

const HOSTILE_SEGMENTS = [
  '..', '.', '%2e%2e', '%2E', 'a/b', 'a%2Fb', 'a?b', 'a#b', 'ünï', '☃', 'x'.repeat(250), 'x'.repeat(251), 'x'.repeat(5000), '%', '%zz',
  '%00', ' ', '__proto__', 'constructor', "etl'daily", '<script>', 'etl.v2', '...', 'a:b+c~d',
]
const DEEP = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`
const BIG = `{"reason":"${'x'.repeat(1_100_000)}"}`

forEachEngine((engine) => {
  let database: TestDatabase
  let airflow: StubAirflow
  let app: TestApp
  let document: { paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, Schema> } }
  const tokens: Record<string, string> = {}

  before(async () => {
    database = await engine.open()
    airflow = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }, { dagId: 'etl.v2', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({
      databaseUrl: database.url,
      // "down" is down on purpose (nothing listens on port 1): its 503s are the one 5xx allowed. The limits that protect a
      // real Airflow are lifted for the stub, so no input waits for its turn and each operation's time budget goes to inputs.
      environments: [
        { name: 'local', url: airflow.url, retries: 0, limits: UNLIMITED },
        { name: 'down', url: 'http://127.0.0.1:1', timeoutMs: 500, retries: 0, limits: UNLIMITED },
      ],
    })
    for (const dag of ['etl_daily', 'etl.v2']) {
      await app.governance.catalog.remember('local', { dagId: dag, description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: null })
      await app.governance.catalog.remember('down', { dagId: dag, description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: null })
    }
    for (const user of ['alice', 'bob', 'carol']) tokens[user] = await app.tokenFor(user)
    document = (await app.server.inject({ method: 'GET', url: '/openapi.json' })).json()
  })
  after(async () => {
    await app?.close()
    await airflow?.close()
    await database?.close()
  })

  test('every /api/v1 operation answers a declared 2xx or the error envelope with a registry code, never a 5xx, and leaves no request half-written', async () => {
    const operations = operationsOf(document)
    assert.ok(operations.length >= 15, `found ${operations.length} operations in /openapi.json`)
    const seen = new Map<string, Map<number, number>>()
    for (const op of operations) {
      const statuses = new Map<number, number>()
      seen.set(`${op.method} ${op.path}`, statuses)
      await fc.assert(fc.asyncProperty(inputOf(op, document.components.schemas), async (input) => {
        const res = await app.server.inject({
          method: op.method as 'GET', url: `${input.path}${input.query}`,
          headers: { ...(input.who === 'nobody' ? {} : { authorization: input.who.startsWith('Bearer') ? input.who : `Bearer ${tokens[input.who]}` }), ...input.headers },
          ...(input.payload !== undefined ? { payload: input.payload } : {}),
        })
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        const what = `${op.method} ${input.path}${input.query} as ${input.who.slice(0, 20)} with ${input.payload?.slice(0, 120) ?? 'no body'} → ${res.statusCode} ${res.body.slice(0, 300)}`
        if (res.statusCode >= 200 && res.statusCode < 300) {
          const declared = op.responses[String(res.statusCode)]
          assert.ok(declared !== undefined, `${what}: status not declared`)
          if (declared && /json/.test(String(res.headers['content-type']))) {
            const problems = mismatches(res.json(), declared, document.components.schemas, '$')
            assert.deepEqual(problems, [], what)
          }
          return
        }
        assert.match(String(res.headers['content-type']), /^application\/json/, what)
        const body = JSON.parse(res.body) as { error?: Record<string, unknown> }
        // The environment that is down on purpose answers 503: unreachable, then (its circuit open) refused without a call.
        const downOnPurpose = res.statusCode === 503 && ['orchestrator_unavailable', 'environment_circuit_open'].includes(String(body.error?.code))
          && (body.error?.details as { environment?: string }).environment === 'down'
        assert.ok(res.statusCode < 500 || downOnPurpose, `${what}: server error`)
        assert.deepEqual(Object.keys(body), ['error'], what)
        const error = body.error!
        assert.ok(typeof error.code === 'string' && isErrorCode(error.code), `${what}: code from the registry`)
        assert.equal(typeof error.message, 'string', what)
        assert.equal(typeof error.requestId, 'string', what)
        assert.ok(Object.keys(error).every((key) => ['code', 'message', 'details', 'requestId'].includes(key)), what)
      }), { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, seed: SEED, endOnFailure: true })
    }
    const halfWritten = await app.database.db.selectFrom('requests').select(['id', 'action', 'state']).where('state', 'in', ['new', 'dispatching']).execute()
    assert.deepEqual(halfWritten, [], 'no request is left in state new or dispatching')
    const tried = [...seen.values()].reduce((sum, statuses) => sum + [...statuses.values()].reduce((a, b) => a + b, 0), 0)
    assert.ok(tried >= operations.length * 20, `${tried} inputs tried`)
    if (process.env.CONDUCTOR_FUZZ_REPORT) for (const [op, statuses] of seen) console.log(op, JSON.stringify(Object.fromEntries(statuses)))
  })
})

/** The `/api/v1` operations of the document, with their parameters, JSON body and JSON response schemas. */
function operationsOf(document: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const out: Operation[] = []
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue
    for (const [method, op] of Object.entries(methods)) {
      const content = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content
      const responses = Object.fromEntries(Object.entries(op.responses as Record<string, { content?: Record<string, { schema: Schema }> }>)
        .map(([status, r]) => [status, r.content?.['application/json']?.schema ?? null]))
      out.push({ method: method.toUpperCase(), path, parameters: (op.parameters ?? []) as Operation['parameters'], body: content?.['application/json']?.schema ?? null, responses })
    }
  }
  return out
}

/** Ids the app knows, by parameter name, so valid inputs reach the governed paths rather than stop at "not found". */
const KNOWN: Record<string, string[]> = {
  env: ['local', 'local', 'down', 'nowhere'], environment: ['local', 'down'], dag: ['etl_daily', 'etl_daily', 'etl.v2', 'ml_train'],
  runId: ['conductor__x', 'manual__2026-01-01T00:00:00+00:00'], taskId: ['extract'], id: ['r1'],
}

/** Inputs for one operation: half valid from its schemas, half with any part replaced by something invalid. */
function inputOf(op: Operation, components: Record<string, Schema>): fc.Arbitrary<Input> {
  return fc.oneof(inputsOf(op, components, false), inputsOf(op, components, true))
}

function inputsOf(op: Operation, components: Record<string, Schema>, hostile: boolean): fc.Arbitrary<Input> {
  const pathParams = op.parameters.filter((p) => p.in === 'path')
  const queryParams = op.parameters.filter((p) => p.in === 'query')
  const pick = <T>(good: fc.Arbitrary<T>, ...bad: fc.Arbitrary<T>[]): fc.Arbitrary<T> =>
    hostile ? fc.oneof({ weight: 3, arbitrary: good }, ...bad.map((arbitrary) => ({ weight: 1, arbitrary }))) : good
  const validValue = (name: string, schema: Schema) => (KNOWN[name] ? fc.constantFrom(...KNOWN[name]!) : valid(schema, components, 0))

  const path = fc.tuple(...pathParams.map((p) => pick(
    validValue(p.name, p.schema).map((v) => encodeURIComponent(String(v))),
    fc.constantFrom(...HOSTILE_SEGMENTS).chain((v) => fc.constantFrom(v, encodeURIComponent(v))),
    fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  ))).map((values) => {
    let url = op.path
    pathParams.forEach((p, i) => { url = url.replace(`{${p.name}}`, values[i] ?? '') })
    return url
  })

  const queryValue = (p: Operation['parameters'][number]): fc.Arbitrary<string> => pick(
    validValue(p.name, p.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
    fc.constantFrom('', '-1', '0', 'abc', '1e999', 'NaN', '..', 'x'.repeat(5000), '\u0000', '2026-13-45T99:00:00Z'),
    fc.string({ unit: 'binary', maxLength: 30 }),
  )
  const query = fc.tuple(
    ...queryParams.map((p) => fc.option(queryValue(p).map((v) => `${encodeURIComponent(p.name)}=${encodeURIComponent(v)}`), { nil: undefined })),
    pick(fc.constant(undefined), fc.constantFrom('unknown=1', '__proto__=x', 'limit=1&limit=2', 'constructor[prototype]=1')),
  ).map((parts) => { const q = parts.filter((p) => p !== undefined).join('&'); return q ? `?${q}` : '' })

  const json = { 'content-type': 'application/json' }
  type Body = { payload: string | undefined; headers: Record<string, string> }
  const bodies: fc.Arbitrary<Body> = op.body === null
    ? pick<Body>(fc.constant({ payload: undefined, headers: {} }), fc.constant({ payload: DEEP(6000), headers: json }))
    : pick(
        valid(op.body, components, 0).map((v) => ({ payload: JSON.stringify(v), headers: json })),
        fc.jsonValue({ maxDepth: 4 }).map((v) => ({ payload: JSON.stringify(v), headers: json })),
        valid(op.body, components, 0).chain((v) => fc.constantFrom(
          ...['conf', 'reason', 'note', 'action', 'paused', 'as'].map((key) => JSON.stringify({ ...(v as object), [key]: '__DEEP__' }).replace('"__DEEP__"', DEEP(40))),
          JSON.stringify({ ...(v as object), unknownField: 1 }),
          JSON.stringify(v).replace(/^\{/, '{"__proto__":{"isAdmin":true},').replace(',}', '}'),
          `{"conf":{"constructor":{"prototype":{"x":1}}}}`,
          JSON.stringify({ ...(v as object), reason: 'x'.repeat(600), note: '\u0000\uD800' }),
          JSON.stringify({ ...(v as object), reason: 'why\u0000not', note: '\uD800' }),
        ).map((payload) => ({ payload, headers: json }))),
        fc.constantFrom(DEEP(40), DEEP(6000), BIG, '{', 'nul', '', '[]', 'null', '"text"', '{"conf":{}}{"conf":{}}').map((payload) => ({ payload, headers: json })),
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1')
          .map((type) => ({ payload: '{"conf":{}}', headers: { 'content-type': type } })),
      )
  const who = pick(fc.constantFrom('alice', 'alice', 'bob', 'carol'), fc.constantFrom('nobody', 'Bearer not-a-jwt', `Bearer ${'eyJ'.repeat(4000)}`))
  return fc.record({ path, query, body: bodies, who }).map(({ path: p, query: q, body, who: w }) => ({ path: p, query: q, headers: body.headers, payload: body.payload, who: w }))
}

/** Values that satisfy `schema` (the subset of JSON Schema the document uses). */
function valid(schema: Schema, components: Record<string, Schema>, depth: number): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') return valid(components[schema.$ref.split('/').pop()!]!, components, depth)
  const options = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (options) return fc.oneof(...options.map((s) => valid(s, components, depth + 1)))
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  if ('const' in schema) return fc.constant(schema.const)
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type
  switch (type) {
    case 'string': {
      if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
      const min = Number(schema.minLength ?? 0), max = Math.min(Number(schema.maxLength ?? 60), 300)
      if (typeof schema.pattern === 'string') {
        const pattern = new RegExp(schema.pattern)
        const alphabet = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.~:+-')
        const named = fc.string({ unit: alphabet, minLength: Math.max(min, 1), maxLength: Math.min(max, 40) })
        // Most patterns are names this alphabet satisfies. One with a fixed prefix (`User:` …) it almost never does, and
        // filtering for it would spin without end (the event loop blocked, so no test timeout fires): build those from
        // the pattern itself.
        if (fc.sample(named, { numRuns: 100, seed: 1 }).filter((s) => pattern.test(s)).length >= 10) return named.filter((s) => pattern.test(s))
        return fc.stringMatching(pattern).filter((s) => s.length >= min && s.length <= max)
      }
      return fc.string({ minLength: min, maxLength: max })
    }
    case 'integer': return fc.integer({ min: Number(schema.minimum ?? -1000), max: Number(schema.maximum ?? 1000) })
    case 'number': return fc.double({ noNaN: true, noDefaultInfinity: true })
    case 'boolean': return fc.boolean()
    case 'null': return fc.constant(null)
    case 'array': return depth > 4 ? fc.constant([]) : fc.array(valid((schema.items ?? {}) as Schema, components, depth + 1), { maxLength: 3 })
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>
      const required = new Set((schema.required ?? []) as string[])
      const keys = Object.keys(properties)
      if (keys.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })
      return fc.record(Object.fromEntries(keys.map((key) => [key, KNOWN[key] ? fc.constantFrom(...KNOWN[key]!) : valid(properties[key]!, components, depth + 1)])), { requiredKeys: keys.filter((k) => required.has(k)) })
    }
    default: return /JSON object/.test(String(schema.description)) ? fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }) : fc.jsonValue({ maxDepth: 3 })
  }
}

/** Where `value` departs from `schema` (types, required and undeclared properties, enums), as JSON paths. */
function mismatches(value: unknown, schema: Schema, components: Record<string, Schema>, at: string): string[] {
  if (typeof schema.$ref === 'string') return mismatches(value, components[schema.$ref.split('/').pop()!]!, components, at)
  const options = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (options) return options.some((s) => mismatches(value, s, components, at).length === 0) ? [] : [`${at}: matches none of anyOf`]
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) return [`${at}: ${JSON.stringify(value)} not in enum`]
  if ('const' in schema && schema.const !== value) return [`${at}: not ${JSON.stringify(schema.const)}`]
  const types = (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]) as string[]
  const typeOf = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value
  if (types.length > 0 && !types.includes(typeOf) && !(typeOf === 'integer' && types.includes('number'))) return [`${at}: ${typeOf}, not ${types.join('|')}`]
  if (typeOf === 'array' && schema.items) return (value as unknown[]).flatMap((item, i) => mismatches(item, schema.items as Schema, components, `${at}[${i}]`))
  if (typeOf === 'object' && (schema.properties || schema.additionalProperties === false)) {
    const record = value as Record<string, unknown>
    const properties = (schema.properties ?? {}) as Record<string, Schema>
    return [
      ...((schema.required ?? []) as string[]).filter((key) => !(key in record)).map((key) => `${at}.${key}: missing`),
      ...Object.keys(record).filter((key) => schema.additionalProperties === false && !(key in properties)).map((key) => `${at}.${key}: undeclared`),
      ...Object.entries(record).filter(([key]) => key in properties).flatMap(([key, item]) => mismatches(item, properties[key]!, components, `${at}.${key}`)),
    ]
  }
  return []
}
