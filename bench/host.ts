import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'

/** The host as a benchmark found it before starting: `nproc`, the load averages (`uptime`) and the CPU model (/proc/cpuinfo). */
export function hostBeforeStart(): { nproc: number; loadBefore: [number, number, number]; cpuModel: string } {
  let cpuModel = 'unknown'
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel
  } catch { /* not Linux */ }
  const [one, five, fifteen] = loadavg().map((l) => Math.round(l * 100) / 100) as [number, number, number]
  return { nproc: availableParallelism(), loadBefore: [one, five, fifteen], cpuModel }
}

/** Prints the host line every Airflow benchmark starts with. */
export function printHost(host: ReturnType<typeof hostBeforeStart>): void {
  console.log(`host: ${host.cpuModel}, nproc ${host.nproc}, load before start ${host.loadBefore.join(' ')}`)
}
