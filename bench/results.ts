import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

const file = new URL('./results.json', import.meta.url)

/** The machine a benchmark ran on, quoted beside its figures. */
export function machine(): Record<string, unknown> {
  const cpu = cpus()
  return { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform }
}

/** Merges one benchmark's figures into `bench/results.json` under `section`, with the machine and time. */
export function writeResults(section: string, figures: unknown): void {
  let all: Record<string, unknown> = {}
  try { all = JSON.parse(readFileSync(file, 'utf8')) } catch { /* first run */ }
  all[section] = { at: new Date().toISOString(), machine: machine(), figures }
  writeFileSync(file, JSON.stringify(all, null, 2) + '\n')
}

/** The p-th percentile (0–100) of `samples`, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** Prints rows as an aligned text table. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`)
  if (rows.length === 0) return
  const cols = Object.keys(rows[0]!)
  const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v))
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  console.log(cols.map((c, i) => c.padEnd(widths[i]!)).join('  '))
  for (const r of rows) console.log(cols.map((c, i) => cell(r[c]).padStart(widths[i]!)).join('  '))
}
