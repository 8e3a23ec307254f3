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
})
