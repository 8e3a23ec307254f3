import { ConductorError } from '../../core/index.ts'
import { checkConf } from '../run-input.ts'

/** The placeholders of a DAG source's firings. */
const RUN_PLACEHOLDERS = ['run_id', 'dag_id', 'environment', 'logical_date', 'end_date'] as const
/** The placeholders of an asset source's firings (`dag_id` and `run_id`: the run that updated the asset, if any). */
const ASSET_PLACEHOLDERS = ['asset_uri', 'event_id', 'timestamp', 'environment', 'dag_id', 'run_id'] as const
const PLACEHOLDER = /\{\{\s*source\.([a-z_]+)\s*\}\}/g
const invalid = (field: string, message: string) => new ConductorError('invalid_input', `${field}: ${message}`, { details: { field } })

/** Fills `{{source.*}}` in the string values of a template (plain substitution, never evaluated); placeholders `source` lacks stay as they are. */
export function fillTemplate(template: unknown, source: Readonly<Record<string, string | null>>): unknown {
  if (typeof template === 'string') return template.replace(PLACEHOLDER, (whole, name: string) => (name in source ? source[name as keyof typeof source] ?? '' : whole))
  if (Array.isArray(template)) return template.map((v) => fillTemplate(v, source))
  if (template !== null && typeof template === 'object') return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, source)]))
  return template
}

/**
 * Validates a conf template as a run conf, and its placeholders for the source's kind.
 * @throws ConductorError `invalid_input` on `confTemplate` for an unknown placeholder, as {@link checkConf} otherwise.
 */
export function checkTemplate(template: unknown, maxBytes: number, assetSource: boolean): Record<string, unknown> {
  const conf = checkConf(template, { maxBytes, maxDepth: 32 })
  const known: readonly string[] = assetSource ? ASSET_PLACEHOLDERS : RUN_PLACEHOLDERS
  for (const match of JSON.stringify(conf).matchAll(PLACEHOLDER)) {
    if (!known.includes(match[1]!)) {
      throw invalid('confTemplate', `unknown placeholder {{source.${match[1]}}} for ${assetSource ? 'an asset' : 'a DAG'} source (known: ${known.map((p) => `source.${p}`).join(', ')})`)
    }
  }
  return conf
}

