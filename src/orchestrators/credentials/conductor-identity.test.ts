import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { MockAgent } from 'undici'
import type { EnvironmentConfig } from '../../config/index.ts'
import { isConductorError } from '../../core/index.ts'
import { createSecrets, type Secrets } from '../../secrets/index.ts'
import { createOrchestrator } from '../create-orchestrator.ts'
import type { Actor, ActorTokenSigner } from '../orchestrator.ts'
import { createActorCredentials, REQUEST_CLAIM } from './conductor-identity.ts'

const ORIGIN = 'http://airflow.test'
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } }
const RUN = { dag_id: 'etl', dag_run_id: 'r1', state: 'queued', run_type: 'manual', logical_date: null, queued_at: '2026-01-01T00:00:00Z', start_date: null, end_date: null, conf: {}, note: null, triggering_user_name: 'alice' }
const DAG = { dag_id: 'etl', tags: [], owners: [], is_paused: false, timetable_summary: null }

function header(headers: unknown, name: string): string {
  if (headers instanceof Headers) return headers.get(name) ?? ''
  const value = ((headers ?? {}) as Record<string, string | string[]>)[name]
  return (Array.isArray(value) ? value[0] : value) ?? ''
}

describe('credential kind conductor-identity', () => {
  let agent: MockAgent
  let secrets: Secrets
  let signed: { actor: Actor; audience: string; claims: Record<string, string>; token: string }[]
  const sign: ActorTokenSigner = async (actor, audience, claims) => {
    const token = `person-token-${signed.length + 1}-for-${actor.id}`
    signed.push({ actor, audience, claims, token })
    return token
  }

  beforeEach(() => {
    agent = new MockAgent()
    agent.disableNetConnect()
    const values = new Map([['svc', JSON.stringify({ username: 'svc', password: 'svc-password-secret' })]])
    secrets = createSecrets({ providers: [], custom: [{ name: 'mem', get: async (name) => values.get(name)!, close: () => {} }] })
    signed = []
  })
  afterEach(async () => { await agent.close() })

  function env(credentials: Partial<EnvironmentConfig['credentials']> = {}): EnvironmentConfig {
    return {
      name: 'prod', kind: 'airflow3', url: ORIGIN, zone: 'eu', tier: 'prod', timeoutMs: 2_000, retries: 0,
      limits: { maxConcurrentWrites: 1, writesPerSecond: 5, maxConcurrentReads: 4, readsPerSecond: 20, maxWaitMs: 5_000 }, circuitBreaker: { failureThreshold: 1, openSeconds: 30 },
      credentials: { provider: 'mem', secret: 'svc', kind: 'conductor-identity', ...credentials },
    }
  }

  it('sends a governed call as the person, with the environment\'s audience and role, and a fresh token per call', async () => {
    const seen: string[] = []
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization'))
      return { statusCode: 200, data: RUN, responseOptions: JSON_HEADERS }
    })
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/dagRuns/r1', method: 'GET' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization'))
      return { statusCode: 200, data: RUN, responseOptions: JSON_HEADERS }
    })
    const orchestrator = createOrchestrator(env({ audience: 'airflow-prod', role: 'OP' }), { secrets, dispatcher: agent, actorTokenSigner: sign })
    const asAlice = orchestrator.as!({ id: 'alice', type: 'User' })
    const run = await asAlice.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null })
    await asAlice.getRun('etl', 'r1')
    assert.equal(run.triggeredBy, 'alice')
    assert.deepEqual(seen, ['Bearer person-token-1-for-alice', 'Bearer person-token-2-for-alice'])
    assert.deepEqual(signed.map((s) => [s.actor, s.audience, s.claims]), [
      [{ id: 'alice', type: 'User' }, 'airflow-prod', { role: 'OP' }],
      [{ id: 'alice', type: 'User' }, 'airflow-prod', { role: 'OP' }],
    ])
    agent.assertNoPendingInterceptors()
  })

  it('defaults to Airflow\'s audience apache-airflow and the role USER', async () => {
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(200, DAG, JSON_HEADERS)
    await createOrchestrator(env(), { secrets, dispatcher: agent, actorTokenSigner: sign }).as!({ id: 'alice', type: 'User' }).getDag('etl')
    assert.deepEqual([signed[0]!.audience, signed[0]!.claims], ['apache-airflow', { role: 'USER' }])
  })

  it('keeps the service account (its secret exchanged at /auth/token) for calls made for no one, such as the catalog sync', async () => {
    const tokenRequests: unknown[] = []
    agent.get(ORIGIN).intercept({ path: '/auth/token', method: 'POST' }).reply((opts) => {
      tokenRequests.push(JSON.parse(String(opts.body)))
      return { statusCode: 201, data: { access_token: 'svc-jwt' }, responseOptions: JSON_HEADERS }
    })
    let seen = ''
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply((opts) => {
      seen = header(opts.headers, 'authorization')
      return { statusCode: 200, data: DAG, responseOptions: JSON_HEADERS }
    })
    await createOrchestrator(env(), { secrets, dispatcher: agent, actorTokenSigner: sign }).getDag('etl')
    assert.equal(seen, 'Bearer svc-jwt')
    assert.deepEqual(tokenRequests, [{ username: 'svc', password: 'svc-password-secret' }])
    assert.equal(signed.length, 0)
  })

  it('with serviceAccountKind conductor-signed, calls made for no one carry a token Conductor signs for itself, and no secret is read', async () => {
    let seen = ''
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply((opts) => {
      seen = header(opts.headers, 'authorization')
      return { statusCode: 200, data: DAG, responseOptions: JSON_HEADERS }
    })
    await createOrchestrator(env({ secret: 'no-such-secret', serviceAccountKind: 'conductor-signed', serviceAccount: 'conductor-eu' }), { secrets, dispatcher: agent, actorTokenSigner: sign }).getDag('etl')
    assert.equal(seen, 'Bearer person-token-1-for-conductor-eu')
    assert.deepEqual(signed.map((s) => [s.actor, s.audience]), [[{ id: 'conductor-eu', type: 'ServiceAccount' }, 'apache-airflow']])
  })

  it('never repeats the person\'s token in an error, and does not retry a refused one as anyone else', async () => {
    let calls = 0
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' }).reply(() => {
      calls++
      return { statusCode: 403, data: { detail: `token person-token-1-for-alice is not allowed` }, responseOptions: JSON_HEADERS }
    }).persist()
    const asAlice = createOrchestrator(env(), { secrets, dispatcher: agent, actorTokenSigner: sign }).as!({ id: 'alice', type: 'User' })
    await assert.rejects(asAlice.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null }), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_auth_failed'), String(error))
      assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /person-token/)
      return true
    })
    assert.equal(calls, 1)
  })

  it('calls as a person share the environment\'s circuit: once it opens, they are refused unsent too', async () => {
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(503, { detail: 'down' }, JSON_HEADERS)
    const orchestrator = createOrchestrator(env(), { secrets, dispatcher: agent, actorTokenSigner: sign })
    await assert.rejects(orchestrator.as!({ id: 'alice', type: 'User' }).getDag('etl'), (error) => isConductorError(error, 'orchestrator_unavailable'))
    assert.equal(orchestrator.protection?.().circuit.state, 'open')
    await assert.rejects(orchestrator.as!({ id: 'bob', type: 'User' }).triggerRun('etl', { runId: 'r2', conf: {}, logicalDate: null }), (error) => isConductorError(error, 'environment_circuit_open'))
    assert.equal(signed.length, 1)
  })

  it('other kinds cannot speak for a person, and conductor-identity without a signer is refused at start', () => {
    assert.equal(createOrchestrator(env({ kind: 'airflow-token' }), { secrets, dispatcher: agent, actorTokenSigner: sign }).as, undefined)
    assert.throws(() => createOrchestrator(env(), { secrets, dispatcher: agent }), (error) => isConductorError(error, 'config_invalid'))
  })
})

describe('the person\'s token for an approved request\'s dispatch', () => {
  const people = {
    name: 'people', kind: 'airflow3', url: 'http://airflow.invalid', zone: 'eu', tier: 'dev',
    credentials: { provider: 'files', secret: 'unused', kind: 'conductor-identity', role: 'OP' },
  } as EnvironmentConfig

  /** What the signer (identity's, injected) is asked to sign for one call as `actor`, and the header the call carries. */
  async function signedFor(actor: Actor) {
    const asked: { actor: Actor; audience: string; claims: Record<string, string> }[] = []
    const credentials = createActorCredentials(people, async (who, audience, claims) => {
      asked.push({ actor: who, audience, claims })
      return `token-${asked.length}`
    }, actor)
    const headers = await credentials.headers()
    return { asked, headers, sensitive: credentials.sensitiveValues?.() ?? [] }
  }

  it('names the request (conductor_request) beside the person and the role', async () => {
    const { asked, headers, sensitive } = await signedFor({ id: 'alice', type: 'User', request: 'req-7' })
    assert.equal(REQUEST_CLAIM, 'conductor_request')
    assert.deepEqual(asked, [{ actor: { id: 'alice', type: 'User' }, audience: 'apache-airflow', claims: { role: 'OP', conductor_request: 'req-7' } }])
    assert.equal(header(headers, 'authorization'), 'Bearer token-1')
    assert.deepEqual(sensitive, ['token-1'])
  })

  it('any other call as the person names no request', async () => {
    const { asked } = await signedFor({ id: 'alice', type: 'User' })
    assert.deepEqual(asked[0]!.claims, { role: 'OP' })
  })
})
