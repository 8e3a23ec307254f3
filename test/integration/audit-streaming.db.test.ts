import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import type { StatusView } from '../../contract/api-types.ts'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { freePort } from '../../harness/processes.ts'
import { rsyslogSkip, startRsyslog, type Rsyslog } from '../../harness/rsyslog.ts'

const run = promisify(execFile)
type TestApp = Awaited<ReturnType<typeof startTestApp>>

const HTTP_TOKEN = 'sink-token-7f3a9c2e51'
const HEC_TOKEN = 'hec-token-4b8d1e6f20'
const OTLP_TOKEN = 'otlp-token-9e2c7a1d33'
/** A value the audit log must scrub before any sink sees it. */
const LEAKED = 'hunter2-very-secret-value'

/** A self-signed CA and a certificate it signed for `localhost` and 127.0.0.1, made with openssl. */
async function makeCertificates(dir: string, name: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const at = (file: string) => join(dir, `${name}-${file}`)
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', `/CN=${name} test CA`])
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost'])
  await writeFile(at('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  await run('openssl', ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('ext.cnf')])
  return { caFile: at('ca.pem'), certFile: at('server.pem'), keyFile: at('server.key') }
}

/** A local HTTP receiver that records each POST; `failing` answers 503; `stop`/`start` take it off the port and back. */
interface Receiver {
  port: number
  url: string
  requests: { path: string; headers: IncomingHttpHeaders; body: string }[]
  failing: boolean
  stop(): Promise<void>
  start(): Promise<void>
}

async function startReceiver(): Promise<Receiver> {
  const port = await freePort()
  let server: Server | undefined
  const receiver: Receiver = {
    port, url: `http://127.0.0.1:${port}`, requests: [], failing: false,
    async start() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
          if (receiver.failing) { res.writeHead(503).end('down for maintenance'); return }
          receiver.requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
        })
      })
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve))
    },
    async stop() {
      const s = server
      server = undefined
      if (s) await new Promise<void>((resolve) => { s.close(() => resolve()); s.closeAllConnections() })
    },
  }
  await receiver.start()
  return receiver
}

/** The seqs each event was received with, in arrival order. */
function jsonlSeqs(receiver: Receiver, pick: (line: Record<string, unknown>) => number): number[] {
  return receiver.requests.flatMap((r) => r.body.split('\n').filter(Boolean).map((line) => pick(JSON.parse(line) as Record<string, unknown>)))
}

function otlpSeqs(receiver: Receiver): number[] {
  type Attr = { key: string; value: { intValue?: string } }
  return receiver.requests.flatMap((r) => (JSON.parse(r.body) as { resourceLogs: { scopeLogs: { logRecords: { attributes: Attr[] }[] }[] }[] })
    .resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((rec) => Number(rec.attributes.find((a) => a.key === 'conductor.audit.seq')!.value.intValue)))))
}

/**
 * At least once and in order: every seq from 1 to `head` arrived, and the first arrival of each came in ascending
 * order (a batch sent again after a failure may repeat events, never skip or reorder them).
 */
function assertInOrderWithoutGaps(seqs: number[], head: number, sink: string): void {
  const first: number[] = []
  const seen = new Set<number>()
  for (const seq of seqs) if (!seen.has(seq)) { seen.add(seq); first.push(seq) }
  assert.deepEqual(first, Array.from({ length: head }, (_, i) => i + 1), `${sink}: every event once at least, in order`)
}

// Audit streaming to real receivers: Debian's rsyslog (plain TCP and TLS), a local HTTP receiver (JSON lines, and a
// Splunk-HEC-compatible one) and a local OTLP/HTTP logs receiver, from a Conductor started as a user would run it.
forEachEngine((engine) => {
  // Without rsyslogd the syslog sinks are left out (and the tests say so); the HTTP and OTLP sinks are tested still.
  const noSyslog = rsyslogSkip()
  let database: TestDatabase
  let app: TestApp
  let startApp: () => Promise<TestApp>
  let dir: string
  let syslog: Rsyslog
  let syslogTls: Rsyslog
  let http: Receiver, hec: Receiver, otlp: Receiver
  const SINKS = noSyslog ? ['lines', 'splunk', 'otel'] : ['siem', 'siem-tls', 'lines', 'splunk', 'otel']

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-streaming-'))
    const certs = await makeCertificates(dir, 'good')
    const other = await makeCertificates(dir, 'other')
    if (!noSyslog) {
      syslog = await startRsyslog()
      syslogTls = await startRsyslog({ tls: certs })
    }
    ;[http, hec, otlp] = await Promise.all([startReceiver(), startReceiver(), startReceiver()])
    database = await engine.open()
    const common = { batchSize: 7, initialRetryDelaySeconds: 1, maxRetryDelaySeconds: 2, timeoutSeconds: 3 }
    const caPem = await readFile(certs.caFile, 'utf8')
    startApp = () => startTestApp({
      databaseUrl: database.url, environments: [],
      secrets: { 'sink-token': HTTP_TOKEN, 'hec-token': HEC_TOKEN, 'otlp-token': `Bearer ${OTLP_TOKEN}`, 'syslog-ca': caPem },
      extraConfig: {
        audit: {
          streamIntervalSeconds: 1,
          sinks: [
            ...(noSyslog ? [] : [
              { ...common, name: 'siem', type: 'syslog', host: '127.0.0.1', port: syslog.port, tls: { enabled: false } },
              { ...common, name: 'siem-tls', type: 'syslog', host: '127.0.0.1', port: syslogTls.port, tls: { ca: { provider: 'files', secret: 'syslog-ca' }, serverName: 'localhost' } },
              { ...common, name: 'siem-wrong-ca', type: 'syslog', host: '127.0.0.1', port: syslogTls.port, tls: { caFile: other.caFile, serverName: 'localhost' } },
            ]),
            { ...common, name: 'lines', type: 'http', url: `${http.url}/ingest`, token: { provider: 'files', secret: 'sink-token' } },
            { ...common, name: 'splunk', type: 'http', url: `${hec.url}/services/collector/event`, format: 'splunk-hec', token: { provider: 'files', secret: 'hec-token' }, index: 'audit' },
            { ...common, name: 'otel', type: 'otlp', endpoint: `${otlp.url}/v1/logs`, serviceName: 'conductor-test', headers: { authorization: { provider: 'files', secret: 'otlp-token' } } },
          ],
        },
      },
    })
    app = await startApp()
  })
  after(async () => {
    await app?.close()
    await database?.close()
    await Promise.all([syslog?.close(), syslogTls?.close(), http?.stop(), hec?.stop(), otlp?.stop()])
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const head = async () => Number((await app.database.db.selectFrom('audit_chain_head').select('seq').executeTakeFirstOrThrow()).seq)
  const caughtUp = async (names: readonly string[]) => {
    const target = await head()
    const status = await app.auditStream.status()
    const behind = status.filter((s) => names.includes(s.name) && s.cursor !== target)
    if (behind.length > 0) throw new Error(`behind head ${target}: ${behind.map((s) => `${s.name} at ${s.cursor} (${s.lastError ?? 'no error'})`).join('; ')}`)
    return target
  }
  const syslogSeqs = async (receiver: Rsyslog) => (await receiver.received()).map((m) => (JSON.parse(m.msg) as { seq: number }).seq)

  test('every audit event reaches rsyslog (TCP and TLS), the HTTP receivers and the OTLP receiver, in order, in each format, without secrets', { timeout: 120_000 }, async (t) => {
    if (noSyslog) t.diagnostic(`syslog sinks not tested: ${noSyslog}`)
    for (let i = 0; i < 30; i++) {
      await app.audit.append({ type: 'test.streamed', principal: 'alice', principalType: 'User', action: 'dag:trigger', decision: i % 5 === 0 ? 'deny' : 'allow', data: { i, password: LEAKED, note: `event ${i} with "quotes" ] and é` } })
    }
    const last = await eventually(() => caughtUp(SINKS), { what: 'every sink to catch up with the audit trail', timeoutMs: 60_000, intervalMs: 200 })
    assert.ok(last >= 30)

    // rsyslog parsed each as RFC 5424: the MSGID is the event type, the structured data names seq and hash.
    const messages = noSyslog ? [] : await syslog.received()
    if (!noSyslog) {
      assertInOrderWithoutGaps(messages.map((m) => (JSON.parse(m.msg) as { seq: number }).seq), last, 'syslog')
      const sample = messages.find((m) => m.msgId === 'test.streamed')!
      assert.equal(sample.appName, 'airflow-conductor')
      const event = JSON.parse(sample.msg) as { seq: number; hash: string; type: string; data: Record<string, unknown> }
      assert.equal(sample.structuredData, `[conductor@32473 seq="${event.seq}" type="test.streamed" hash="${event.hash}"]`)
      assert.equal(event.data.password, '[redacted]')
      assertInOrderWithoutGaps(await syslogSeqs(syslogTls), last, 'syslog over TLS')
    }

    // JSON lines with the bearer token; Splunk HEC envelopes with the Splunk token.
    assert.ok(http.requests.every((r) => r.path === '/ingest' && r.headers.authorization === `Bearer ${HTTP_TOKEN}` && r.headers['content-type'] === 'application/x-ndjson'))
    assertInOrderWithoutGaps(jsonlSeqs(http, (line) => line.seq as number), last, 'http jsonl')
    assert.ok(hec.requests.every((r) => r.path === '/services/collector/event' && r.headers.authorization === `Splunk ${HEC_TOKEN}`))
    const envelope = JSON.parse(hec.requests[0]!.body.split('\n')[0]!) as Record<string, unknown>
    assert.deepEqual(Object.keys(envelope).sort(), ['event', 'host', 'index', 'source', 'sourcetype', 'time'])
    assert.equal(envelope.sourcetype, 'conductor:audit')
    assert.equal(envelope.time, Date.parse((envelope.event as { at: string }).at) / 1000)
    assertInOrderWithoutGaps(jsonlSeqs(hec, (line) => (line.event as { seq: number }).seq), last, 'splunk hec')

    // OTLP/HTTP logs: one record per event under the service's resource, with the collector's header.
    assert.ok(otlp.requests.every((r) => r.path === '/v1/logs' && r.headers.authorization === `Bearer ${OTLP_TOKEN}`))
    const body = JSON.parse(otlp.requests[0]!.body) as { resourceLogs: { resource: { attributes: { key: string; value: { stringValue: string } }[] } }[] }
    assert.deepEqual(body.resourceLogs[0]!.resource.attributes, [{ key: 'service.name', value: { stringValue: 'conductor-test' } }])
    assertInOrderWithoutGaps(otlpSeqs(otlp), last, 'otlp')

    // The audit trail itself says where it is streamed: each sink's destination, never a token.
    const loaded = (await app.audit.query({ type: 'config.loaded' })).at(-1)!
    assert.deepEqual((loaded.data.auditSinks as { name: string }[]).find((sink) => sink.name === 'splunk'), { name: 'splunk', type: 'http', destination: hec.url, format: 'splunk-hec' })
    assert.equal((loaded.data.auditSinks as unknown[]).length, SINKS.length + (noSyslog ? 0 : 1))

    // Nothing a receiver got holds a secret: not the scrubbed value, not a sink's token.
    const everything = [...messages.map((m) => m.msg), ...(noSyslog ? [] : await syslogTls.received()).map((m) => m.msg), ...[http, hec, otlp].flatMap((r) => r.requests.map((q) => q.body))].join('\n')
    for (const secret of [LEAKED, HTTP_TOKEN, HEC_TOKEN, OTLP_TOKEN]) assert.ok(!everything.includes(secret), 'no secret in what the sinks received')

    // The sink whose CA did not sign rsyslog's certificate delivers nothing, and says why.
    if (!noSyslog) {
      const wrong = (await app.auditStream.status()).find((s) => s.name === 'siem-wrong-ca')!
      assert.equal(wrong.cursor, 0)
      assert.ok(wrong.failures > 0)
      assert.match(wrong.lastError ?? '', /certificate/i)
    }
  })

  test('receivers down while events are appended: appends do not wait; lag and failures show in status and metrics; once back, every event is delivered in order', { timeout: 180_000 }, async (t) => {
    if (noSyslog) t.diagnostic(`syslog sinks not tested: ${noSyslog}`)
    await eventually(() => caughtUp(SINKS), { what: 'every sink to catch up before the outage', timeoutMs: 60_000, intervalMs: 200 })
    const before = await head()
    if (!noSyslog) await syslog.stop()
    http.failing = true
    await hec.stop()
    await otlp.stop()

    const durations: number[] = []
    const startedAt = Date.now()
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now()
      await app.audit.append({ type: 'test.outage', principal: 'bob', principalType: 'User', data: { i } })
      durations.push(performance.now() - t0)
    }
    const appendsTook = Date.now() - startedAt
    // A sink's connect or request timeout is 3 s: had an append waited for one, this would be far above it.
    assert.ok(Math.max(...durations) < 1000, `slowest append ${Math.max(...durations).toFixed(0)} ms while the sinks were down`)
    assert.ok(appendsTook < 10_000, `40 appends took ${appendsTook} ms`)
    const during = await head()
    assert.equal(during - before, 40)

    // The outage is visible: failures counted, the last error named, the lag in events and seconds.
    const down = noSyslog ? ['lines', 'splunk', 'otel'] : ['siem', 'lines', 'splunk', 'otel']
    const status = await eventually(async () => {
      const all = await app.auditStream.status()
      const failing = all.filter((s) => down.includes(s.name) && s.failures > 0 && s.lastError !== null)
      return failing.length === down.length ? all : undefined
    }, { what: 'the sinks to report their failures', timeoutMs: 30_000, intervalMs: 200 })
    for (const name of down) {
      const s = status.find((x) => x.name === name)!
      assert.ok(s.lagEvents > 0 && s.cursor! < during, `${name} lags: ${JSON.stringify(s)}`)
      assert.ok(s.lagSeconds >= 0)
    }
    assert.match(status.find((s) => s.name === 'lines')!.lastError!, /answered 503/)
    if (!noSyslog) assert.match(status.find((s) => s.name === 'siem')!.lastError!, /ECONNREFUSED|closed the connection/)
    const api = await fetch(`${await app.listen()}/api/v1/status`, { headers: { authorization: `Bearer ${await app.tokenFor('carol')}` } })
    const view = await api.json() as StatusView
    const lines = view.auditSinks!.find((s) => s.name === 'lines')!
    assert.ok(lines.lagEvents > 0 && lines.failures > 0 && lines.lastError !== null, JSON.stringify(lines))
    assert.ok(!JSON.stringify(view.auditSinks).includes(HTTP_TOKEN))
    const scraped = (await app.metrics!.scrape()).body
    assert.match(scraped, /^conductor_audit_sink_lag_events\{sink="lines"\} [1-9]\d*$/m)
    assert.match(scraped, /^conductor_audit_sink_failures\{sink="lines"\} [1-9]\d*$/m)
    assert.match(scraped, /^conductor_audit_sink_lag_seconds\{sink="otel"\} /m)

    // Back: each sink resumes from its cursor.
    if (!noSyslog) await syslog.start()
    http.failing = false
    await hec.start()
    await otlp.start()
    const last = await eventually(() => caughtUp(SINKS), { what: 'every sink to catch up after the outage', timeoutMs: 60_000, intervalMs: 200 })
    assert.equal(last, during)
    if (!noSyslog) {
      assertInOrderWithoutGaps(await syslogSeqs(syslog), last, 'syslog')
      assertInOrderWithoutGaps(await syslogSeqs(syslogTls), last, 'syslog over TLS')
    }
    assertInOrderWithoutGaps(jsonlSeqs(http, (line) => line.seq as number), last, 'http jsonl')
    assertInOrderWithoutGaps(jsonlSeqs(hec, (line) => (line.event as { seq: number }).seq), last, 'splunk hec')
    assertInOrderWithoutGaps(otlpSeqs(otlp), last, 'otlp')
    const after = (await app.auditStream.status()).find((s) => s.name === 'lines')!
    assert.equal(after.lagEvents, 0)
    assert.equal(after.failures, 0)
    assert.match((await app.metrics!.scrape()).body, /^conductor_audit_sink_lag_events\{sink="lines"\} 0$/m)
  })

  test('the cursor is durable: after a restart each sink resumes after its last accepted event, not from the start', { timeout: 120_000 }, async () => {
    const stopped = await eventually(() => caughtUp(SINKS), { what: 'every sink to catch up before the restart', timeoutMs: 60_000, intervalMs: 200 })
    const received = http.requests.length
    await app.close()
    // A new Conductor on the same database: its start-up events and these appends follow the cursors.
    app = await startApp()
    for (let i = 0; i < 5; i++) await app.audit.append({ type: 'test.restarted', data: { i } })
    const last = await eventually(() => caughtUp(SINKS), { what: 'every sink to catch up after the restart', timeoutMs: 60_000, intervalMs: 200 })
    assert.ok(last >= stopped + 5)
    const resent = jsonlSeqs({ ...http, requests: http.requests.slice(received) }, (line) => line.seq as number)
    assert.deepEqual(resent, Array.from({ length: last - stopped }, (_, i) => stopped + 1 + i), 'the restarted Conductor sent exactly the events after the cursor')
    assertInOrderWithoutGaps(jsonlSeqs(http, (line) => line.seq as number), last, 'http jsonl')
    if (!noSyslog) assertInOrderWithoutGaps(await syslogSeqs(syslog), last, 'syslog')
  })
})
