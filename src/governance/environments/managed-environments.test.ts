import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isConductorError } from '../../core/index.ts'
import { refuseSecretValues } from './managed-environments.ts'

const refusedField = (input: unknown): string | null => {
  try {
    refuseSecretValues(input)
    return null
  } catch (error) {
    assert.ok(isConductorError(error, 'secret_value_refused'))
    assert.doesNotMatch(error.message, /hunter2/, 'the value is never echoed')
    return error.details?.field as string
  }
}

test('an environment takes a secret reference, never a secret: values are refused by field, references pass', () => {
  assert.equal(refusedField({ name: 'x', credentials: { provider: 'vault', secret: 'airflow/x', kind: 'basic' } }), null)
  assert.equal(refusedField({ credentials: { provider: 'files', secret: 'a', kind: 'conductor-identity', serviceAccountKind: 'conductor-signed', serviceAccount: 'conductor' } }), null)
  assert.equal(refusedField({ credentials: { provider: 'files', secret: 'a', password: 'hunter2' } }), 'credentials.password')
  assert.equal(refusedField({ credentials: { provider: 'files', secret: 'a', token: 'hunter2' } }), 'credentials.token')
  assert.equal(refusedField({ credentials: { provider: 'files', secret: 'a', apiKey: 'hunter2' } }), 'credentials.apiKey')
  assert.equal(refusedField({ credentials: 'hunter2' }), 'credentials')
  assert.equal(refusedField({ name: 'x', password: 'hunter2' }), 'password')
})
