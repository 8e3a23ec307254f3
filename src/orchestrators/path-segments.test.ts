import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { AIRFLOW3, dag, fake, JSON_HEADERS } from './airflow.test-support.ts'
import { seg } from './http-client.ts'

describe('ids in the URLs Conductor sends to Airflow (MockAgent sees the exact path)', () => {
  const t = fake(AIRFLOW3)

  /** Asks for DAG `dagId` and returns the path undici was asked for. */
  async function pathAskedFor(dagId: string): Promise<string> {
    t.signIn(1)
    const seen: string[] = []
    t.pool().intercept({ path: () => true, method: 'GET' }).reply((opts) => {
      seen.push(opts.path)
      return { statusCode: 200, data: dag('x'), responseOptions: JSON_HEADERS }
    })
    await t.orchestrator().getDag(dagId)
    assert.equal(seen.length, 1)
    return seen[0]!
  }

  const hostile: [string, string][] = [
    ['%2e%2e', '/api/v2/dags/%252e%252e'],
    ['%2E', '/api/v2/dags/%252E'],
    ['a/b', '/api/v2/dags/a%2Fb'],
    ['../../auth/token', '/api/v2/dags/..%2F..%2Fauth%2Ftoken'],
    ['a?b', '/api/v2/dags/a%3Fb'],
    ['a#b', '/api/v2/dags/a%23b'],
    ['ünï', '/api/v2/dags/%C3%BCn%C3%AF'],
    ['etl.v2', '/api/v2/dags/etl.v2'],
    ['...', '/api/v2/dags/...'],
    ['a:b+c~d', '/api/v2/dags/a%3Ab%2Bc~d'],
    ['x'.repeat(250), `/api/v2/dags/${'x'.repeat(250)}`],
  ]
  for (const [id, path] of hostile) {
    it(`sends DAG id ${JSON.stringify(id.length > 20 ? `${id.slice(0, 10)}… (${id.length})` : id)} as one segment`, async () => {
      assert.equal(await pathAskedFor(id), path)
    })
  }

  for (const id of ['.', '..']) {
    it(`refuses DAG, run and task id ${JSON.stringify(id)} before anything is sent (no encoding survives URL normalisation)`, async () => {
      const o = t.orchestrator()
      const calls = [() => o.getDag(id), () => o.getRun('etl', id), () => o.getTaskLog('etl', 'r1', id, { tryNumber: 1 })]
      for (const call of calls) {
        await assert.rejects(call(), (error: unknown) => isConductorError(error, 'invalid_input') && /"\.{1,2}"/.test(error.message))
      }
    })
  }

  it('encodes every reserved character of a segment', () => {
    assert.equal(seg('a/b?c#d%e f'), 'a%2Fb%3Fc%23d%25e%20f')
    assert.throws(() => seg('..'), (error: unknown) => isConductorError(error, 'invalid_input'))
    assert.throws(() => seg(''), (error: unknown) => isConductorError(error, 'invalid_input'))
  })
})
