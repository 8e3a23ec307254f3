import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { startStubAirflow } from '../../harness/stub-airflow.ts'

// Its own file, so its own process: what this process has loaded is what Conductor loaded.
const SDK = /[\\/]node_modules[\\/]@opentelemetry[\\/](sdk-trace-base|exporter-trace-otlp-http|context-async-hooks|resources|otlp-[a-z-]+)[\\/]/

function sdkModulesLoaded(): string[] {
  return Object.keys(createRequire(import.meta.url).cache).filter((path) => SDK.test(path))
}

test('with tracing off, serving a governed trigger loads nothing of the OpenTelemetry SDK; turning it on does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-tracing-off-'))
  const airflow = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
  try {
    for (const enabled of [false, true]) {
      const app = await startTestApp({
        databaseUrl: `sqlite:${join(dir, `${enabled}.db`)}`, environments: [{ name: 'local', url: airflow.url }],
        extraConfig: { tracing: { enabled, endpoint: 'http://127.0.0.1:9/v1/traces', exportTimeoutSeconds: 1 } },
      })
      try {
        const url = await app.listen()
        await app.governance.catalog.syncAll()
        const res = await fetch(`${url}/api/v1/environments/local/dags/etl_daily/runs`, {
          method: 'POST', headers: { authorization: `Bearer ${await app.tokenFor('alice')}`, 'content-type': 'application/json' }, body: '{"conf":{}}',
        })
        assert.equal(res.status, 201)
        if (enabled) assert.ok(sdkModulesLoaded().length > 0, 'tracing on loads the SDK (so the check above can fail)')
        else assert.deepEqual(sdkModulesLoaded(), [])
      } finally {
        await app.close()
      }
    }
  } finally {
    await airflow.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
