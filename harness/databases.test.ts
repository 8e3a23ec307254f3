import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { engines } from './databases.ts'

describe('engines', () => {
  let saved: { DATABASE_URL?: string; CONDUCTOR_TEST_ENGINES?: string }
  const set = (env: { DATABASE_URL?: string; CONDUCTOR_TEST_ENGINES?: string }) => {
    for (const key of ['DATABASE_URL', 'CONDUCTOR_TEST_ENGINES'] as const) {
      if (env[key] === undefined) delete process.env[key]
      else process.env[key] = env[key]
    }
  }
  beforeEach(() => { saved = { DATABASE_URL: process.env.DATABASE_URL, CONDUCTOR_TEST_ENGINES: process.env.CONDUCTOR_TEST_ENGINES } })
  afterEach(() => set(saved))
  const names = () => engines().map((engine) => engine.name)

  it('are SQLite always, and PostgreSQL exactly when DATABASE_URL is a postgres URL', () => {
    set({})
    assert.deepEqual(names(), ['sqlite'])
    set({ DATABASE_URL: 'sqlite:/tmp/x.db' })
    assert.deepEqual(names(), ['sqlite'])
    set({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' })
    assert.deepEqual(names(), ['sqlite', 'postgres'])
  })

  it('narrow to the ones CONDUCTOR_TEST_ENGINES names, and refuse one that is unknown or not available', () => {
    set({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', CONDUCTOR_TEST_ENGINES: 'postgres' })
    assert.deepEqual(names(), ['postgres'])
    set({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', CONDUCTOR_TEST_ENGINES: 'sqlite' })
    assert.deepEqual(names(), ['sqlite'])
    set({ CONDUCTOR_TEST_ENGINES: 'postgres' })
    assert.throws(() => engines(), /asks for postgres, which needs DATABASE_URL/)
    set({ CONDUCTOR_TEST_ENGINES: 'mysql' })
    assert.throws(() => engines(), /names "mysql"/)
  })
})
