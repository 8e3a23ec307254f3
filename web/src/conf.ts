import type { DagParam } from './api.ts'

/** The outcome of checking a conf before it is sent. */
export interface ConfCheck {
  conf: Record<string, unknown> | null
  /** Problems that stop the trigger (bad JSON, not an object, a value that breaks a param's schema). */
  errors: string[]
}

/** The conf a trigger form starts with: each param's default. */
export function defaultConf(params: Record<string, DagParam> | null | undefined): string {
  if (!params || Object.keys(params).length === 0) return '{}'
  const conf: Record<string, unknown> = {}
  for (const [name, param] of Object.entries(params)) conf[name] = param.value ?? null
  return JSON.stringify(conf, null, 2)
}

function where(text: string, message: string): string {
  // V8 says "… in JSON at position 12 (line 2 column 3)" in recent versions; older ones give the position only.
  const position = /position (\d+)/.exec(message)
  if (!position || /line \d+/.test(message)) return message
  const before = text.slice(0, Number(position[1]))
  const line = before.split('\n').length
  return `${message} (line ${line}, column ${before.length - before.lastIndexOf('\n')})`
}

/** Parses the conf text and checks it against the DAG's params (JSON Schema subset Airflow uses). */
export function checkConf(text: string, params: Record<string, DagParam> | null | undefined, maxBytes = 65536): ConfCheck {
  let value: unknown
  const trimmed = text.trim()
  if (trimmed === '') return { conf: {}, errors: [] }
  try {
    value = JSON.parse(trimmed)
  } catch (error) {
    return { conf: null, errors: [`The conf is not valid JSON: ${where(trimmed, (error as Error).message)}`] }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { conf: null, errors: ['The conf must be a JSON object, like {"rows": 5}.'] }
  }
  const conf = value as Record<string, unknown>
  const errors: string[] = []
  const bytes = new TextEncoder().encode(JSON.stringify(conf)).length
  if (bytes > maxBytes) errors.push(`The conf is ${bytes} bytes; at most ${maxBytes} are allowed.`)
  for (const [name, param] of Object.entries(params ?? {})) {
    if (!(name in conf)) continue
    errors.push(...checkValue(name, conf[name], param.schema))
  }
  return { conf: errors.length ? null : conf, errors }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function checkValue(name: string, value: unknown, schema: Record<string, unknown>): string[] {
  const errors: string[] = []
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type.map(String) : [String(schema.type)]
  const actual = typeOf(value)
  if (types.length && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
    errors.push(`"${name}" must be ${types.join(' or ')}, not ${actual}.`)
    return errors
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    errors.push(`"${name}" must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}.`)
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`"${name}" must be at least ${schema.minimum}.`)
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`"${name}" must be at most ${schema.maximum}.`)
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`"${name}" must have at least ${schema.minLength} characters.`)
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) errors.push(`"${name}" must have at most ${schema.maxLength} characters.`)
    if (typeof schema.pattern === 'string') {
      try {
        if (!new RegExp(schema.pattern, 'u').test(value)) errors.push(`"${name}" must match ${schema.pattern}.`)
      } catch {
        // A pattern the browser cannot compile is left to Airflow to check.
      }
    }
  }
  return errors
}
