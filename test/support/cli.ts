import { spawn } from 'node:child_process'

const cliMain = new URL('../../src/cli/main.ts', import.meta.url).pathname

/** Runs `conductor ARGS` as a user would, to completion; resolves with its exit code and output. */
export function conductor(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliMain, ...args], { env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' } })
    let stdout = '', stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}
