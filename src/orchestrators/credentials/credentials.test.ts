import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { MockAgent } from 'undici'
import { CREDENTIAL_KINDS, type CredentialKind, type EnvironmentConfig } from '../../config/index.ts'
import { isConductorError } from '../../core/index.ts'
import { createSecrets, type Secrets } from '../../secrets/index.ts'
import { createOrchestrator } from '../create-orchestrator.ts'
import { CREDENTIAL_FACTORIES } from './credentials.ts'

const ORIGIN = 'http://astro.test'
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } }
const TOKEN = 'astro-deployment-token-1'
const DAG = { dag_id: 'etl', tags: [], owners: [], is_paused: false, timetable_summary: null }

function header(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  const value = ((headers ?? {}) as Record<string, string | string[]>)[name]
  return Array.isArray(value) ? value[0] : value
}

describe('credential kinds', () => {
  let agent: MockAgent
  let secretValues: Map<string, string>
  let secrets: Secrets
  let seen: string[]

  beforeEach(() => {
    agent = new MockAgent()
    agent.disableNetConnect()
    secretValues = new Map([['astro', TOKEN]])
    secrets = createSecrets({ providers: [], custom: [{ name: 'vault', get: async (name) => secretValues.get(name)!, close: () => {} }] })
    seen = []
  })
  afterEach(async () => { await agent.close() })

  function env(kind: EnvironmentConfig['kind'], credentialKind: CredentialKind | null = 'bearer'): EnvironmentConfig {
    return {
      name: 'astro-prod', kind, url: ORIGIN, zone: 'eu', tier: 'prod', timeoutMs: 2_000, retries: 0, limits: { maxConcurrentWrites: 2, writesPerSecond: 5, maxConcurrentReads: 4, readsPerSecond: 20, maxWaitMs: 5_000 }, circuitBreaker: { failureThreshold: 5, openSeconds: 30 },
      credentials: { provider: 'vault', secret: 'astro', ...(credentialKind ? { kind: credentialKind } : {}) },
    }
  }
  const orchestrator = (kind: EnvironmentConfig['kind'] = 'airflow3') => createOrchestrator(env(kind), { secrets, dispatcher: agent, retryBaseMs: 1 })

  /** Answers `times` DAG reads with `status`, recording the Authorization header each carried. */
  function dagReads(status: number, times: number, prefix = '/api/v2') {
    const data: object = status === 200 ? DAG : { detail: `token ${TOKEN} expired` }
    agent.get(ORIGIN).intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization') ?? '')
      return { statusCode: status, data, responseOptions: JSON_HEADERS }
    }).times(times)
  }

  it('every kind config accepts has a factory', () => {
    assert.deepEqual(Object.keys(CREDENTIAL_FACTORIES).sort(), [...CREDENTIAL_KINDS].sort())
  })

  it('bearer sends the secret as the token, reads it once, and never asks /auth/token', async () => {
    dagReads(200, 2)
    const o = orchestrator()
    await o.getDag('etl')
    await o.getDag('etl')
    assert.deepEqual(seen, [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`])
    agent.assertNoPendingInterceptors()
  })

  it('bearer reads JSON {"token": …} too, and works on Airflow 2 (/api/v1)', async () => {
    secretValues.set('astro', `${JSON.stringify({ token: 'json-token-2' })}\n`)
    dagReads(200, 1, '/api/v1')
    assert.equal((await orchestrator('airflow2').getDag('etl')).dagId, 'etl')
    assert.deepEqual(seen, ['Bearer json-token-2'])
  })

  it('bearer reads the secret again after a 401, so a rotated token works without a restart', async () => {
    dagReads(200, 1)
    const o = orchestrator()
    await o.getDag('etl')
    secretValues.set('astro', 'rotated-token-3')
    dagReads(401, 1)
    dagReads(200, 1)
    await o.getDag('etl')
    assert.deepEqual(seen, [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, 'Bearer rotated-token-3'])
  })

  it('bearer gives orchestrator_auth_failed when the re-read token is refused too, without the token', async () => {
    dagReads(403, 2)
    await assert.rejects(orchestrator().getDag('etl'), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_auth_failed'))
      assert.equal(error.details?.environment, 'astro-prod')
      assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, new RegExp(TOKEN))
      return true
    })
    assert.equal(seen.length, 2)
  })

  for (const [what, value] of [['empty', '  \n'], ['JSON without a token', '{"username":"svc","password":"hunter2-secret"}'], ['broken JSON', '{"token": "abc-secret-x'], ['a token with spaces', 'two words-secret']] as const) {
    it(`bearer refuses a secret that is ${what} with secret_unreadable naming provider, secret and environment, never the value`, async () => {
      secretValues.set('astro', value)
      await assert.rejects(orchestrator().listDags(), (error) => {
        assert.ok(isConductorError(error, 'secret_unreadable'), String(error))
        assert.deepEqual(error.details, { provider: 'vault', secret: 'astro', environment: 'astro-prod', reason: 'invalid_shape' })
        assert.match(error.message, /"astro".*"vault".*"astro-prod"/)
        assert.doesNotMatch(error.message, /secret-x|hunter2|words/)
        return true
      })
      assert.equal(seen.length, 0, 'Airflow is never asked')
    })
  }

  for (const kind of ['basic', 'airflow-token'] as const) {
    it(`${kind} refuses a secret that is not {"username","password"} with secret_unreadable, never the value`, async () => {
      secretValues.set('astro', JSON.stringify({ username: 'svc', pass: 'leaky-value' }))
      const o = createOrchestrator(env('airflow3', kind), { secrets, dispatcher: agent, retryBaseMs: 1 })
      await assert.rejects(o.listDags(), (error) => {
        assert.ok(isConductorError(error, 'secret_unreadable'), String(error))
        assert.equal(error.details?.environment, 'astro-prod')
        assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /leaky-value/)
        return true
      })
    })
  }

  it('basic can be chosen for an Airflow 3 environment, and the kind defaults by environment kind', async () => {
    secretValues.set('astro', JSON.stringify({ username: 'svc', password: 'pw' }))
    dagReads(200, 1)
    await createOrchestrator(env('airflow3', 'basic'), { secrets, dispatcher: agent }).getDag('etl')
    dagReads(200, 1, '/api/v1')
    await createOrchestrator(env('airflow2', null), { secrets, dispatcher: agent }).getDag('etl')
    assert.deepEqual(seen, [`Basic ${Buffer.from('svc:pw').toString('base64')}`, `Basic ${Buffer.from('svc:pw').toString('base64')}`])
  })
})
