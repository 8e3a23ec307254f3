import assert from 'node:assert/strict'
import { test } from 'node:test'
import Fastify from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ConductorError } from '../core/index.ts'
import { errors } from './responses.ts'
import { useSchemas } from './server.ts'

/** A tiny app wired like the server, whose routes answer what the test says, against a declared schema. */
async function appAnswering(answers: Record<string, () => unknown>) {
  const logged: unknown[] = []
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => { logged.push(JSON.parse(line)) } } } }).withTypeProvider<ZodTypeProvider>()
  useSchemas(app)
  const answer = z.strictObject({ name: z.string(), count: z.number().int() })
  for (const [path, handler] of Object.entries(answers)) {
    app.get(path, { schema: { response: { 200: answer, ...errors(404, 500) } } }, async () => handler() as z.output<typeof answer>)
  }
  app.get('/bad-error', { schema: { response: { 200: answer, ...errors(404, 500) } } }, async (_request, reply) => {
    return reply.code(404).send({ error: { code: 'no_such_code', message: 'gone', requestId: 'r' } } as never)
  })
  await app.ready()
  return { app, logged }
}

test('an answer that does not match its declared schema is refused with a logged 500, not sent', async () => {
  const { app, logged } = await appAnswering({
    '/good': () => ({ name: 'etl', count: 2 }),
    '/wrong-type': () => ({ name: 'etl', count: 'two' }),
    '/missing': () => ({ name: 'etl' }),
    '/extra': () => ({ name: 'etl', count: 2, secret: 'leaked' }),
  })
  try {
    const good = await app.inject('/good')
    assert.equal(good.statusCode, 200)
    assert.deepEqual(good.json(), { name: 'etl', count: 2 })
    for (const path of ['/wrong-type', '/missing', '/extra']) {
      const res = await app.inject(path)
      assert.equal(res.statusCode, 500, path)
      assert.equal(res.json().error.code, 'internal', path)
      assert.doesNotMatch(res.body, /leaked|two/, `${path}: nothing of the bad answer leaves`)
    }
    assert.equal(logged.length, 3, 'each refused answer is logged')
    assert.match(JSON.stringify(logged[0]), /Response doesn't match the schema|serializ/i)
  } finally {
    await app.close()
  }
})

test('error answers are checked too: a registry code passes, an unknown code is refused', async () => {
  const { app } = await appAnswering({ '/missing-dag': () => { throw new ConductorError('dag_not_found', 'no DAG "x"') } })
  try {
    const res = await app.inject('/missing-dag')
    assert.equal(res.statusCode, 404)
    assert.equal(res.json().error.code, 'dag_not_found')
    const bad = await app.inject('/bad-error')
    assert.equal(bad.statusCode, 500)
    assert.equal(bad.json().error.code, 'internal')
  } finally {
    await app.close()
  }
})
