import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { createAuditLog } from '../../src/audit/index.ts'
import { openDatabase } from '../../src/store/index.ts'
import { forEachEngine } from '../../harness/databases.ts'

const storeModule = new URL('../../src/store/index.ts', import.meta.url).href
const auditModule = new URL('../../src/audit/index.ts', import.meta.url).href

// A writer process: appends forever from 4 concurrent callers, printing "seq hash" once each append resolves.
const writer = `
const { openDatabase } = await import(${JSON.stringify(storeModule)})
const { createAuditLog } = await import(${JSON.stringify(auditModule)})
const database = await openDatabase({ url: process.env.AUDIT_TEST_URL })
const log = createAuditLog({ database })
const caller = async (c) => {
  for (let i = 0; ; i++) {
    const event = await log.append({ type: 'dispatch.sent', principal: process.env.AUDIT_TEST_WRITER, data: { c, i } })
    process.stdout.write(event.seq + ' ' + event.hash + '\\n')
  }
}
await Promise.all([0, 1, 2, 3].map(caller))
`

interface Writer {
  acked: Map<number, string>
  waitFor(count: number): Promise<void>
  kill(): Promise<void>
}

function startWriter(url: string, name: string): Writer {
  const child = spawn(process.execPath, ['--input-type=module', '-e', writer], {
    env: { ...process.env, AUDIT_TEST_URL: url, AUDIT_TEST_WRITER: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += chunk })
  const exited = once(child, 'exit')
  const acked = new Map<number, string>()
  const waiters: { count: number; resolve: () => void }[] = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [seq, hash] = line.split(' ')
    acked.set(Number(seq), hash!)
    for (const waiter of waiters) if (acked.size >= waiter.count) waiter.resolve()
  })
  return {
    acked,
    waitFor: (count) => new Promise<void>((resolve, reject) => {
      if (acked.size >= count) return resolve()
      waiters.push({ count, resolve })
      void exited.then(() => reject(new Error(`writer ${name} exited early: ${stderr}`)))
    }),
    kill: async () => {
      child.kill('SIGKILL')
      const [code, signal] = await exited
      assert.equal(signal, 'SIGKILL', `writer ${name} ended with ${code}: ${stderr}`)
    },
  }
}

forEachEngine((engine) => {
  test('every acknowledged append survives SIGKILL of two writer processes, and the chain verifies', { timeout: 60_000 }, async () => {
    const database = await engine.open()
    try {
      const writers = [startWriter(database.url, 'writer-a'), startWriter(database.url, 'writer-b')]
      await Promise.all(writers.map((w) => w.waitFor(60)))
      // Kill mid-stream: each writer has appends in flight right now.
      await writers[0]!.kill()
      await writers[1]!.waitFor(writers[1]!.acked.size + 20)
      await writers[1]!.kill()

      const reopened = await openDatabase({ url: database.url })
      try {
        const log = createAuditLog({ database: reopened })
        const result = await log.verify()
        assert.equal(result.ok, true, JSON.stringify(result))
        const acked = new Map([...writers[0]!.acked, ...writers[1]!.acked])
        assert.equal(acked.size, writers[0]!.acked.size + writers[1]!.acked.size, 'two writers acknowledged the same seq')
        const maxAcked = Math.max(...acked.keys())
        assert.ok(result.ok && result.lastSeq >= maxAcked)
        const stored = new Map<number, string>()
        let byWriterA = 0
        for (let afterSeq = 0; ;) {
          const page = await log.query({ afterSeq, limit: 1000 })
          if (page.length === 0) break
          for (const event of page) {
            stored.set(event.seq, event.hash)
            if (event.principal === 'writer-a') byWriterA++
          }
          afterSeq = page.at(-1)!.seq
        }
        for (const [seq, hash] of acked) assert.equal(stored.get(seq), hash, `acknowledged event ${seq} is missing or changed`)
        // Every acknowledged append of the first writer is kept as its own (a page of 1000 could hold fewer than it acknowledged).
        assert.ok(byWriterA >= writers[0]!.acked.size, `${byWriterA} events of writer-a stored, ${writers[0]!.acked.size} acknowledged`)
      } finally {
        await reopened.close()
      }
    } finally {
      await database.close()
    }
  })
})
