import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { parseConfig } from './index.ts'

const providers = { providers: [{ name: 'files', type: 'file', path: 'secrets' }] }
const hook = { name: 'ops', url: 'https://hooks.example/conductor', secret: { provider: 'files', secret: 'ops-hook' }, events: ['request.*'] }

function errorPath(notifications: unknown): string {
  try {
    parseConfig({ secrets: providers, notifications }, { baseDir: '/etc/conductor' })
  } catch (error) {
    assert.ok(isConductorError(error, 'config_invalid'))
    return String(error.details?.path)
  }
  assert.fail('expected config_invalid')
}

test('notification webhooks: json by default, with visible retry defaults', () => {
  const config = parseConfig({ secrets: providers, notifications: { webhooks: [hook] } }, { baseDir: '/etc/conductor' })
  assert.deepEqual(config.notifications, {
    webhooks: [{ ...hook, format: 'json' }], deliveryIntervalSeconds: 5, initialRetryDelaySeconds: 1, maxRetryDelaySeconds: 300, maxAttempts: 10, timeoutSeconds: 5,
  })
  assert.deepEqual(parseConfig({}, { baseDir: '/etc/conductor' }).notifications.webhooks, [])
})

test('a bad webhook fails start-up with the path of the bad key', () => {
  assert.equal(errorPath({ webhooks: [{ ...hook, secret: undefined }] }), 'notifications.webhooks[0].secret', 'a json webhook must be signed')
  assert.equal(errorPath({ webhooks: [{ ...hook, secret: { provider: 'vault', secret: 'x' } }] }), 'notifications.webhooks[0].secret.provider')
  assert.equal(errorPath({ webhooks: [{ ...hook, url: 'file:///etc/passwd' }] }), 'notifications.webhooks[0].url')
  assert.equal(errorPath({ webhooks: [{ ...hook, events: [] }] }), 'notifications.webhooks[0].events')
  assert.equal(errorPath({ webhooks: [{ ...hook, events: ['request.(pending)'] }] }), 'notifications.webhooks[0].events[0]')
  assert.equal(errorPath({ webhooks: [{ ...hook, format: 'teams' }] }), 'notifications.webhooks[0].format')
  assert.equal(errorPath({ webhooks: [hook, hook] }), 'notifications.webhooks[1].name')
  assert.doesNotThrow(() => parseConfig({ notifications: { webhooks: [{ name: 'chat', url: 'https://hooks.slack.com/services/T/B/X', events: ['*'], format: 'slack' }] } }, { baseDir: '/' }))
})
