import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { eventually } from './poll.ts'

describe('eventually', () => {
  it('resolves with the first value the check yields', async () => {
    let calls = 0
    const value = await eventually(() => (++calls >= 3 ? { calls } : undefined), { what: 'three calls', intervalMs: 1 })
    assert.deepEqual(value, { calls: 3 })
  })

  it('treats a throwing check as not yet, and names the last error when it gives up', async () => {
    await assert.rejects(
      eventually(() => { throw new Error('state is "running"') }, { what: 'the run to finish', timeoutMs: 30, intervalMs: 5 }),
      /timed out after 30 ms waiting for the run to finish; last: state is "running"/,
    )
  })

  it('ends the wait at once on an error the caller calls fatal', async () => {
    let calls = 0
    const gone = new Error('the server exited')
    await assert.rejects(
      eventually(() => { calls++; throw gone }, { what: 'the server to answer', timeoutMs: 5_000, intervalMs: 1, fatal: (error) => error === gone }),
      (error) => error === gone,
    )
    assert.equal(calls, 1)
  })
})
