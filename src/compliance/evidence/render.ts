import { csvCell } from '../../audit/index.ts'
import type { ComplianceReport, ControlReport, EvidenceSection } from '../reports/index.ts'

/** A control's file name stem: `CC6.1` → `CC6.1`, `A.5.15` → `A.5.15` (only safe characters kept). */
export function controlFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9.-]/g, '_')
}

/** The control as JSON: its id, framework, title, period and every evidence section. */
export function controlJson(control: ControlReport): string {
  return JSON.stringify(control, null, 2) + '\n'
}

/** The control as one CSV: a column for the evidence kind, then the union of the sections' row columns. */
export function controlCsv(control: ControlReport): string {
  const columns = ['evidence', ...new Set(control.sections.flatMap((s) => s.rows.flatMap((r) => Object.keys(r))))]
  let out = columns.join(',') + '\r\n'
  for (const section of control.sections) {
    for (const row of section.rows) out += columns.map((c) => csvCell(c === 'evidence' ? section.kind : row[c])).join(',') + '\r\n'
  }
  return out
}

function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const MAX_ROWS = 200

function sectionHtml(section: EvidenceSection): string {
  const summary = Object.entries(section.summary).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')
  const columns = [...new Set(section.rows.flatMap((r) => Object.keys(r)))]
  const rows = section.rows.slice(0, MAX_ROWS).map((r) => `<tr>${columns.map((c) => `<td>${c === 'diff' ? `<pre>${esc(r[c])}</pre>` : esc(r[c])}</td>`).join('')}</tr>`).join('')
  const more = section.rows.length > MAX_ROWS ? `<p class="note">${section.rows.length - MAX_ROWS} more rows in the control's JSON and CSV.</p>` : ''
  return `<section><h3>${esc(section.title)}</h3><dl>${summary}</dl>${section.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}`
    + (columns.length ? `<table><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>${more}` : '<p class="note">No rows in this period.</p>') + '</section>'
}

const STYLE = 'body{font:13px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:22px}h2{font-size:18px;border-bottom:2px solid #333;margin-top:2em}'
  + 'h3{font-size:14px}table{border-collapse:collapse;width:100%;font-size:11px;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 4px;text-align:left;vertical-align:top}'
  + 'th{background:#eee}dl{display:grid;grid-template-columns:max-content auto;gap:0 1em}dt{font-weight:600}dd{margin:0}.note{color:#555;font-style:italic}pre{margin:0;white-space:pre-wrap}'
  + 'section{break-inside:auto}'

/** The readable summary: self-contained HTML (inline style, no scripts, no external assets). */
export function summaryHtml(report: ComplianceReport, meta: { generatedAt: string; generatedBy: string; checkpoint: { seq: number; hash: string; at: string } }): string {
  const index = report.controls.map((c) => `<tr><td>${esc(c.framework)}</td><td>${esc(c.id)}</td><td>${esc(c.title)}</td><td>${c.sections.map((s) => `${esc(s.kind)} (${s.rows.length})`).join(', ')}</td></tr>`).join('')
  const body = report.controls.map((c) => `<h2>${esc(c.framework)} ${esc(c.id)}: ${esc(c.title)}</h2>${c.sections.map(sectionHtml).join('')}`).join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conductor evidence ${esc(report.period.from)} to ${esc(report.period.to)}</title><style>${STYLE}</style></head><body>`
    + `<h1>Airflow Conductor: compliance evidence</h1><dl><dt>Period</dt><dd>${esc(report.period.from)} to ${esc(report.period.to)} (end excluded)</dd><dt>Access as of</dt><dd>${esc(report.asOf)}</dd>`
    + `<dt>Generated</dt><dd>${esc(meta.generatedAt)} by ${esc(meta.generatedBy)}</dd><dt>Audit checkpoint</dt><dd>seq ${meta.checkpoint.seq}, ${esc(meta.checkpoint.hash)}, signed ${esc(meta.checkpoint.at)}</dd></dl>`
    + `<p class="note">Verify this bundle offline with <code>conductor evidence verify DIR</code>.</p><table><thead><tr><th>Framework</th><th>Control</th><th>Title</th><th>Evidence (rows)</th></tr></thead><tbody>${index}</tbody></table>${body}</body></html>\n`
}
