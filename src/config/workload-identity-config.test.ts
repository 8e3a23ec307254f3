import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { parseConfig } from './index.ts'

const github = { name: 'github', kind: 'github', issuer: 'https://token.actions.githubusercontent.com', audience: 'https://conductor.example.com' }

function errorPath(identity: unknown): string {
  try {
    parseConfig({ identity }, { baseDir: '/etc/conductor' })
  } catch (error) {
    assert.ok(isConductorError(error, 'config_invalid'))
    return String(error.details?.path)
  }
  assert.fail('expected config_invalid')
}

test('workload issuers and AWS sign-in: visible defaults', () => {
  const config = parseConfig({ identity: { workloadIssuers: [github] } }, { baseDir: '/etc/conductor' })
  assert.deepEqual(config.identity.workloadIssuers, [{ ...github, algorithms: ['RS256', 'ES256'] }])
  assert.deepEqual(config.identity.aws, { enabled: false, stsEndpoint: 'https://sts.amazonaws.com/', region: 'us-east-1' })
})

test('a workload issuer needs an audience, asymmetric algorithms and a unique name that is not "aws"', () => {
  assert.equal(errorPath({ workloadIssuers: [{ ...github, audience: undefined }] }), 'identity.workloadIssuers[0].audience')
  assert.equal(errorPath({ workloadIssuers: [{ ...github, algorithms: ['HS256'] }] }), 'identity.workloadIssuers[0].algorithms[0]')
  assert.equal(errorPath({ workloadIssuers: [{ ...github, kind: 'gitlab' }] }), 'identity.workloadIssuers[0].kind')
  assert.equal(errorPath({ workloadIssuers: [{ ...github, name: 'aws' }] }), 'identity.workloadIssuers[0].name')
  assert.equal(errorPath({ workloadIssuers: [github, { ...github, issuer: 'https://other.example.com' }] }), 'identity.workloadIssuers[1].name')
  assert.equal(errorPath({ issuers: [{ name: 'github', issuer: 'https://idp.example.com' }], workloadIssuers: [github] }), 'identity.workloadIssuers[0].name')
  assert.equal(errorPath({ issuers: [{ name: 'aws', issuer: 'https://idp.example.com' }] }), 'identity.issuers[0].name')
  assert.equal(errorPath({ aws: { enabled: true, stsEndpoint: 'not a url' } }), 'identity.aws.stsEndpoint')
})
