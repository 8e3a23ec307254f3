import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startMoto, xmlValue, type AwsCredentials, type MotoServer } from '../../harness/moto.ts'
import { isConductorError } from '../../src/core/index.ts'
import { createSecrets, type Secrets } from '../../src/secrets/index.ts'

const PASSWORD_1 = 'aws-pw-one-9c2e71'
const PASSWORD_2 = 'aws-pw-two-3b8d05'
const policy = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] })

// The AWS Secrets Manager provider against moto's server on loopback, never a real AWS endpoint.
describe('AWS Secrets Manager provider against moto', () => {
  let moto: MotoServer
  let admin: AwsCredentials
  let reader: AwsCredentials
  let dir: string
  const opened: Secrets[] = []
  const open = (secrets: Secrets) => { opened.push(secrets); return secrets }

  before(async () => {
    // IAM authentication on after the set-up's 6 free requests: every later request's SigV4 signature is checked.
    moto = await startMoto({ freeRequests: 6 })
    const steps = [
      await moto.call('iam', { Action: 'CreateUser', UserName: 'admin' }),
      await moto.call('iam', { Action: 'PutUserPolicy', UserName: 'admin', PolicyName: 'all', PolicyDocument: policy('*') }),
    ]
    const adminKey = await moto.call('iam', { Action: 'CreateAccessKey', UserName: 'admin' })
    steps.push(adminKey, await moto.call('iam', { Action: 'CreateUser', UserName: 'conductor' }),
      await moto.call('iam', { Action: 'PutUserPolicy', UserName: 'conductor', PolicyName: 'read', PolicyDocument: policy('secretsmanager:GetSecretValue') }))
    const readerKey = await moto.call('iam', { Action: 'CreateAccessKey', UserName: 'conductor' })
    steps.push(readerKey)
    for (const step of steps) assert.equal(step.status, 200, step.text.slice(0, 300))
    admin = { accessKeyId: xmlValue(adminKey.text, 'AccessKeyId'), secretAccessKey: xmlValue(adminKey.text, 'SecretAccessKey') }
    reader = { accessKeyId: xmlValue(readerKey.text, 'AccessKeyId'), secretAccessKey: xmlValue(readerKey.text, 'SecretAccessKey') }
    await moto.secretsManager('CreateSecret', { Name: 'prod/airflow', SecretString: JSON.stringify({ username: 'conductor', password: PASSWORD_1 }) }, admin)
    await moto.secretsManager('CreateSecret', { Name: 'prod/token', SecretString: 'plain-token-value-xyz' }, admin)
    dir = await mkdtemp(join(tmpdir(), 'conductor-aws-'))
  })
  after(async () => {
    for (const s of opened) s.close()
    await moto?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const aws = (extra: Record<string, unknown> = {}) => ({ name: 'sm', type: 'aws' as const, region: 'us-east-1', endpoint: moto.url, versionStage: 'AWSCURRENT', timeoutMs: 5_000, ttlSeconds: 0, ...extra })
  const keys = (c: AwsCredentials) => ({ AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey })

  it('signs with keys from the environment (moto checks the signature and the IAM policy), reads a JSON key or the whole string, and reports the VersionId', async () => {
    const secrets = open(createSecrets({ providers: [aws()], environment: keys(reader) }))
    assert.equal(await secrets.get({ provider: 'sm', secret: 'prod/airflow#password' }), PASSWORD_1)
    assert.deepEqual(await secrets.getJson({ provider: 'sm', secret: 'prod/airflow' }), { username: 'conductor', password: PASSWORD_1 })
    assert.equal(await secrets.get({ provider: 'sm', secret: 'prod/token' }), 'plain-token-value-xyz')
    assert.match(secrets.status({ provider: 'sm', secret: 'prod/token' })!.version ?? '', /^[0-9a-f-]{36}$/)
  })

  it('sees a rotation: AWSCURRENT is the new value at once (TTL 0), AWSPREVIOUS the old one', async () => {
    const current = open(createSecrets({ providers: [aws()], environment: keys(reader) }))
    const previous = open(createSecrets({ providers: [aws({ versionStage: 'AWSPREVIOUS' })], environment: keys(reader) }))
    const ref = { provider: 'sm', secret: 'prod/airflow#password' }
    const before = (await current.check(ref)).version
    const put = await moto.secretsManager('PutSecretValue', { SecretId: 'prod/airflow', SecretString: JSON.stringify({ username: 'conductor', password: PASSWORD_2 }) }, admin)
    assert.equal(await current.get(ref), PASSWORD_2)
    assert.equal(current.status(ref)!.version, put.VersionId)
    assert.equal(await previous.get(ref), PASSWORD_1)
    assert.equal(previous.status(ref)!.version, before)
  })

  it('reads the shared credentials file profile when the environment has no keys', async () => {
    const file = join(dir, 'credentials')
    await writeFile(file, `[default]\naws_access_key_id = AKIAWRONGWRONGWRONG1\naws_secret_access_key = wrong\n\n[conductor]\naws_access_key_id = ${reader.accessKeyId}\naws_secret_access_key = ${reader.secretAccessKey}\n`)
    const secrets = open(createSecrets({ providers: [aws({ profile: 'conductor' })], environment: { AWS_SHARED_CREDENTIALS_FILE: file } }))
    assert.equal(await secrets.get({ provider: 'sm', secret: 'prod/token' }), 'plain-token-value-xyz')
  })

  it('refuses wrong keys, a missing secret or key, never with a value; a provider with no credentials at all is unavailable', async () => {
    const wrong = open(createSecrets({ providers: [aws()], environment: { AWS_ACCESS_KEY_ID: reader.accessKeyId, AWS_SECRET_ACCESS_KEY: 'not-the-secret-key' } }))
    await assert.rejects(wrong.get({ provider: 'sm', secret: 'prod/token' }), (e) => isConductorError(e, 'secret_unavailable') && /"sm"/.test(e.message) && !e.message.includes('not-the-secret-key'))
    const secrets = open(createSecrets({ providers: [aws()], environment: keys(reader) }))
    await assert.rejects(secrets.get({ provider: 'sm', secret: 'prod/nope' }), (e) => isConductorError(e, 'secret_not_found'))
    await assert.rejects(secrets.get({ provider: 'sm', secret: 'prod/airflow#nope' }), (e) => isConductorError(e, 'secret_not_found') && !e.message.includes(PASSWORD_2))
    await assert.rejects(secrets.get({ provider: 'sm', secret: 'prod/token#key' }), (e) => isConductorError(e, 'secret_unreadable') && !e.message.includes('plain-token'))
    const none = open(createSecrets({ providers: [aws()], environment: { HOME: dir } }))
    await assert.rejects(none.get({ provider: 'sm', secret: 'prod/token' }), (e) => isConductorError(e, 'secret_unavailable') && /no AWS credentials/.test(e.message))
  })

  it('assumes a role with a web identity token file (STS AssumeRoleWithWebIdentity) and reads with the session credentials', async () => {
    // moto answers an unsigned AssumeRoleWithWebIdentity only with IAM authentication off: a second moto.
    const open2 = await startMoto()
    try {
      await open2.call('iam', { Action: 'CreateRole', RoleName: 'conductor', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/cluster' }, Action: 'sts:AssumeRoleWithWebIdentity' }] }) })
      await open2.secretsManager('CreateSecret', { Name: 'eks/airflow', SecretString: JSON.stringify({ password: 'web-identity-pw-42aa' }) })
      const tokenFile = join(dir, 'web-identity-token')
      await writeFile(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y29uZHVjdG9yIn0.c2ln\n')
      const secrets = open(createSecrets({
        providers: [aws({ endpoint: open2.url, stsEndpoint: open2.url })],
        environment: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/conductor' },
      }))
      assert.equal(await secrets.get({ provider: 'sm', secret: 'eks/airflow#password' }), 'web-identity-pw-42aa')
    } finally {
      await open2.stop()
    }
  })
})
