import { spawn } from 'node:child_process'
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Where the PDF renderer is and how long it may take. */
export interface PdfRenderer {
  /** Path of the Chromium binary, or undefined to look for `/usr/bin/chromium`. */
  chromium: string | undefined
  timeoutMs: number
}

/** The outcome: the PDF bytes, or why there is none. */
export type PdfResult = { pdf: Buffer } | { pdf: null; reason: string }

const DEFAULT_CHROMIUM = '/usr/bin/chromium'

/**
 * Renders `html` to PDF with headless Chromium (`--print-to-pdf`, no header or footer), in a fresh profile folder
 * removed afterwards, killed after `timeoutMs`. Never throws: a missing binary or a failure is the reason.
 */
export async function renderPdf(html: string, renderer: PdfRenderer): Promise<PdfResult> {
  const binary = renderer.chromium ?? DEFAULT_CHROMIUM
  try {
    await access(binary)
  } catch {
    return { pdf: null, reason: renderer.chromium ? `compliance.evidence.chromium (${binary}) cannot be found` : `no Chromium at ${DEFAULT_CHROMIUM} and compliance.evidence.chromium is not set` }
  }
  const dir = await mkdtemp(join(tmpdir(), 'conductor-pdf-'))
  try {
    const page = join(dir, 'summary.html')
    const out = join(dir, 'summary.pdf')
    await writeFile(page, html)
    const args = [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
      '--disable-background-networking', '--disable-sync', '--mute-audio', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`,
      `--print-to-pdf=${out}`, '--no-pdf-header-footer', pathToFileURL(page).href,
    ]
    const code = await new Promise<number | string>((resolve) => {
      const child = spawn(binary, args, { stdio: 'ignore' })
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('timeout') }, renderer.timeoutMs)
      child.on('error', (error) => { clearTimeout(timer); resolve(error.message) })
      child.on('exit', (status) => { clearTimeout(timer); resolve(status ?? -1) })
    })
    if (code === 'timeout') return { pdf: null, reason: `Chromium did not finish within ${renderer.timeoutMs / 1000} s` }
    const pdf = await readFile(out).catch(() => null)
    if (pdf === null || !pdf.subarray(0, 4).equals(Buffer.from('%PDF'))) return { pdf: null, reason: `Chromium exited (${code}) without writing a PDF` }
    return { pdf }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
