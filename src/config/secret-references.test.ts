import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig, secretReferences } from './index.ts'

test('secret references list what Conductor reads, each with its user; a conductor-signed service account reads none', () => {
  const credentials = (secret: string, extra: Record<string, unknown> = {}) => ({ provider: 'files', secret, ...extra })
  const config = parseConfig({
    secrets: { providers: [{ name: 'files', type: 'file', path: 'secrets' }] },
    identity: { airflowTokens: { signingKeys: [credentials('conductor-airflow-key')] } },
    environments: [
      { name: 'prod', url: 'http://127.0.0.1:8080', credentials: credentials('airflow-prod') },
      { name: 'demo', url: 'http://127.0.0.1:8081', kind: 'airflow3', credentials: credentials('unused', { kind: 'conductor-identity', serviceAccountKind: 'conductor-signed' }) },
      { name: 'eu', url: 'http://127.0.0.1:8082', kind: 'airflow3', credentials: credentials('airflow-eu', { kind: 'conductor-identity' }) },
    ],
  }, { baseDir: '/x' })
  assert.deepEqual(secretReferences(config).map((r) => [r.ref.secret, r.usedBy]), [
    ['airflow-prod', 'environment prod'],
    ['airflow-eu', 'environment eu'],
    ['conductor-airflow-key', 'identity.airflowTokens.signingKeys[0]'],
  ])
})
