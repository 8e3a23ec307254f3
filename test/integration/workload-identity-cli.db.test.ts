import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { freePort, startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { startWorkloadIssuer, type WorkloadIssuer } from '../../harness/workload-issuer.ts'
import type { Principal } from '../../src/identity/index.ts'
import { conductor } from '../support/cli.ts'
import { ETL_ROLE, startAwsWorld, WEB_ROLE } from './workload-identity-support.ts'

// `conductor exchange` as a CI job, a pod and an AWS workload run it, against a real Conductor: a tiny local stand-in
// for GitHub's ID-token endpoint (serving the local issuer's tokens), a projected token file, and moto's STS.
let aws: Awaited<ReturnType<typeof startAwsWorld>>
let issuer: WorkloadIssuer
let actions: Server
let actionsUrl = ''
let port: number
let repository = 'acme/etl'
const ACTIONS_BEARER = 'actions-runtime-bearer'

before(async () => {
  port = await freePort()
  aws = await startAwsWorld()
  issuer = await startWorkloadIssuer({ audience: `http://127.0.0.1:${port}` })
  // GitHub's ACTIONS_ID_TOKEN_REQUEST_URL: a bearer-protected GET with ?audience=…, answering { value: <JWT> }.
  actions = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (req.headers.authorization !== `bearer ${ACTIONS_BEARER}`) { res.writeHead(401).end(); return }
    const audience = url.searchParams.get('audience') ?? 'https://github.com/acme'
    void issuer.github({ repository }, { audience }).then((value) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ count: 1, value }))
    })
  })
  await new Promise<void>((done) => actions.listen(0, '127.0.0.1', done))
  actionsUrl = `http://127.0.0.1:${(actions.address() as AddressInfo).port}/token?api-version=2.0`
})
after(async () => {
  await aws?.moto.stop()
  await issuer?.close()
  await new Promise((done) => actions?.close(done))
})

forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url = ''
  const alice: Principal = { type: 'User', id: 'alice', subject: 'alice', issuer: 'dev', username: 'alice', displayName: null, email: null, groups: ['data-eng'], idpGroups: ['data-eng'] }

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'prod', url: stub.url, retries: 0 }], port,
      identity: {
        workloadIssuers: [{ name: 'github', kind: 'github', issuer: issuer.url, audience: `http://127.0.0.1:${port}` }],
        aws: { enabled: true, stsEndpoint: aws.moto.url },
      },
    })
    url = await app.listen()
    await app.serviceAccounts.create(alice, { name: 'etl-ci', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'] })
    const trusts = app.trusts
    await trusts.add(alice, 'etl-ci', { issuer: 'github', conditions: { repository: 'acme/etl', ref: 'refs/heads/main' } })
    await trusts.add(alice, 'etl-ci', { issuer: 'aws', conditions: { arn: ETL_ROLE } })
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const whoIs = async (token: string) => {
    const me = await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })
    assert.equal(me.statusCode, 200, me.body)
    return `${me.json().type}:${me.json().id}`
  }

  test('conductor exchange --github-actions prints only a token that acts as etl-ci', async () => {
    repository = 'acme/etl'
    const run = await conductor(['--server', url, 'exchange', '--github-actions'], { ACTIONS_ID_TOKEN_REQUEST_URL: actionsUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: ACTIONS_BEARER })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^cdx_[A-Za-z0-9_-]+\n$/)
    assert.equal(await whoIs(run.stdout.trim()), 'ServiceAccount:etl-ci')
  })

  test('a workflow of another repository is refused with invalid_grant and prints no token', async () => {
    repository = 'evil/etl'
    const run = await conductor(['--server', url, 'exchange', '--github-actions'], { ACTIONS_ID_TOKEN_REQUEST_URL: actionsUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: ACTIONS_BEARER })
    assert.notEqual(run.code, 0)
    assert.equal(run.stdout, '')
    assert.match(run.stderr, /invalid_grant/)
    repository = 'acme/etl'
    const missing = await conductor(['--server', url, 'exchange', '--github-actions'], { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' })
    assert.notEqual(missing.code, 0)
    assert.match(missing.stderr, /id-token: write/)
  })

  test('conductor exchange --subject-token-file exchanges a token from a file (a Kubernetes projected token, a CI secret)', async () => {
    const file = join(app.dir, 'token')
    writeFileSync(file, `${await issuer.github({ repository: 'acme/etl' })}\n`)
    const run = await conductor(['--server', url, 'exchange', '--subject-token-file', file, '--scope', 'dag:read'])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, /scope dag:read/)
    const viaKubernetesFlag = await conductor(['--server', url, 'exchange', '--kubernetes', '--token-file', file])
    assert.equal(viaKubernetesFlag.code, 0, viaKubernetesFlag.stderr)
  })

  test('conductor trusts add|list|remove manage the rules; a rule that trusts too much names the condition', async () => {
    const as = async (args: string[]) => conductor(['--server', url, '--token', await app.tokenFor('alice'), 'trusts', ...args])
    const added = await as(['add', 'etl-ci', '--issuer', 'github', '--condition', 'repository=acme/web', '--condition', 'ref=refs/tags/v*', '--description', 'releases'])
    assert.equal(added.code, 0, added.stderr)
    const id = /rule (\S+)$/m.exec(added.stdout)?.[1]
    assert.match(added.stdout, /^trusted: github ref=refs\/tags\/v\* repository=acme\/web as etl-ci, rule \S+$/m)
    const list = await as(['list', 'etl-ci'])
    assert.match(list.stdout, /^ID +ISSUER +CONDITIONS/m)
    assert.ok(list.stdout.includes(id!), list.stdout)
    const json = JSON.parse((await as(['list', 'etl-ci', '-o', 'json'])).stdout) as { trusts: { issuer: string; conditions: Record<string, string>; description: string }[] }
    const rows = (list: unknown[][]) => list.map((row) => JSON.stringify(row)).sort()
    assert.deepEqual(rows(json.trusts.map((t) => [t.issuer, t.conditions, t.description])), rows([
      ['github', { ref: 'refs/heads/main', repository: 'acme/etl' }, ''], ['aws', { arn: ETL_ROLE }, ''], ['github', { ref: 'refs/tags/v*', repository: 'acme/web' }, 'releases'],
    ]))
    const broad = await as(['add', 'etl-ci', '--issuer', 'github', '--condition', 'repository=*/web'])
    assert.notEqual(broad.code, 0)
    assert.match(broad.stderr, /trust_rule_invalid/)
    const removed = await as(['remove', 'etl-ci', id!])
    assert.equal(removed.code, 0, removed.stderr)
    assert.ok(!(await as(['list', 'etl-ci'])).stdout.includes(id!))
  })

  test('conductor exchange --aws signs GetCallerIdentity with the role\'s credentials and the server id from the metadata', async () => {
    const role = await aws.assume(ETL_ROLE)
    const env = { AWS_ACCESS_KEY_ID: role.accessKeyId, AWS_SECRET_ACCESS_KEY: role.secretAccessKey, AWS_SESSION_TOKEN: role.sessionToken! }
    const run = await conductor(['--server', url, 'exchange', '--aws'], env)
    assert.equal(run.code, 0, run.stderr)
    assert.equal(await whoIs(run.stdout.trim()), 'ServiceAccount:etl-ci')
    const other = await aws.assume(WEB_ROLE)
    const refused = await conductor(['--server', url, 'exchange', '--aws'], { AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey, AWS_SESSION_TOKEN: other.sessionToken! })
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /invalid_grant/)
    const wrongServer = await conductor(['--server', url, 'exchange', '--aws', '--server-id', 'another-conductor'], env)
    assert.match(wrongServer.stderr, /token_invalid_audience/)
  })
})
