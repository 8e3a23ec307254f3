import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMetrics } from './metrics.ts'
import { timeCalls } from './instrument.ts'

test('timeCalls keeps results and errors as they were and reports each call with its outcome', async () => {
  const calls: string[] = []
  const service = {
    name: 'svc',
    async ok(x: number) { return x * 2 },
    async fails() { throw Object.assign(new Error('down'), { code: 'orchestrator_unavailable' }) },
    async odd() { throw new Error('no code') },
    sync() { return 7 },
  }
  const timed = timeCalls(service, (method, outcome, seconds) => { assert.ok(seconds >= 0); calls.push(`${method}:${outcome}`) })
  assert.equal(await timed.ok(21), 42)
  await assert.rejects(timed.fails(), { message: 'down', code: 'orchestrator_unavailable' })
  await assert.rejects(timed.odd(), { message: 'no code' })
  assert.equal(timed.sync(), 7)
  assert.equal(timed.name, 'svc')
  assert.deepEqual(calls, ['ok:ok', 'fails:orchestrator_unavailable', 'odd:error'])
})

test('timeCalls with only and rewrap: only the named methods are timed, rewrapped results are seen', async () => {
  const calls: string[] = []
  const seen: unknown[] = []
  const timed = timeCalls({ async a() { return 1 }, async b() { return 2 }, c() { return { n: 3 } } }, (m) => calls.push(m), {
    only: ['a'], rewrap: { c: (r) => { seen.push(r); return r } },
  })
  assert.equal(await timed.a(), 1)
  assert.equal(await timed.b(), 2)
  assert.deepEqual(timed.c(), { n: 3 })
  assert.deepEqual(calls, ['a'])
  assert.deepEqual(seen, [{ n: 3 }])
})

test('registered gauges and caches are read at each scrape; registering a name again replaces its reader', async () => {
  const metrics = createMetrics({ processMetrics: false })
  let queue = 3
  metrics.registerGauge('conductor_test_queue', 'A queue.', () => [{ labels: { lane: 'writes' }, value: queue }], ['lane'])
  metrics.registerCache('tokens', () => ({ hits: 9, misses: 1, entries: 4 }))
  const first = await metrics.scrape()
  let body = first.body
  assert.match(first.contentType, /^text\/plain/)
  assert.match(body, /^conductor_test_queue\{lane="writes"\} 3$/m)
  assert.match(body, /^conductor_cache_lookups\{cache="tokens",result="hit"\} 9$/m)
  assert.match(body, /^conductor_cache_lookups\{cache="tokens",result="miss"\} 1$/m)
  assert.match(body, /^conductor_cache_entries\{cache="tokens"\} 4$/m)
  queue = 5
  metrics.registerGauge('conductor_test_queue', 'A queue.', async () => [{ labels: { lane: 'reads' }, value: queue }], ['lane'])
  ;({ body } = await metrics.scrape())
  assert.match(body, /^conductor_test_queue\{lane="reads"\} 5$/m)
  assert.doesNotMatch(body, /lane="writes"/)
  assert.doesNotMatch(body, /process_cpu/)
})

test('an Airflow call counts as an error only when it failed, under its code', async () => {
  const metrics = createMetrics({ processMetrics: false })
  metrics.observeAirflowCall('prod', 'triggerRun', 'ok', 0.01)
  metrics.observeAirflowCall('prod', 'triggerRun', 'orchestrator_throttled', 0.002)
  const { body } = await metrics.scrape()
  assert.match(body, /^conductor_airflow_call_duration_seconds_count\{environment="prod",operation="triggerRun",outcome="ok"\} 1$/m)
  assert.match(body, /^conductor_airflow_call_errors_total\{environment="prod",operation="triggerRun",code="orchestrator_throttled"\} 1$/m)
  assert.doesNotMatch(body, /code="ok"/)
})

test('decisions are counted per outcome and policy version, and keep counting across scrapes', async () => {
  const metrics = createMetrics({ processMetrics: false })
  metrics.observeDecision('allow', 1)
  metrics.observeDecision('deny', 1)
  metrics.observeDecision('allow', 1)
  assert.match((await metrics.scrape()).body, /^conductor_policy_decisions_total\{decision="allow",policy_version="1"\} 2$/m)
  metrics.observeDecision('allow', 1)
  metrics.observeDecision('deny', 2)
  const { body } = await metrics.scrape()
  assert.match(body, /^conductor_policy_decisions_total\{decision="allow",policy_version="1"\} 3$/m)
  assert.match(body, /^conductor_policy_decisions_total\{decision="deny",policy_version="1"\} 1$/m)
  assert.match(body, /^conductor_policy_decisions_total\{decision="deny",policy_version="2"\} 1$/m)
})
