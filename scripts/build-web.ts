/**
 * Builds the web console (web/ → web/dist) with Vite unless web/dist is newer than every source.
 * `node scripts/build-web.ts` from the shell; `ensureConsoleBuilt()` from the demo and the test runner.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const root = new URL('..', import.meta.url).pathname

function newestMtime(folder: string): number {
  let newest = 0
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Builds web/dist unless it is newer than every source file of the console. */
export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(root, 'web', 'dist', 'index.html')
  const sources = Math.max(newestMtime(join(root, 'web', 'src')), statSync(join(root, 'web', 'index.html')).mtimeMs, statSync(join(root, 'web', 'vite.config.ts')).mtimeMs)
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return
  await promisify(execFile)(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', join(root, 'web'), '--logLevel', 'warn'], { cwd: root, timeout: 180_000 })
}

if (import.meta.main) await ensureConsoleBuilt()
