import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { freePort, startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { startWorkloadIssuer, type WorkloadIssuer } from '../../harness/workload-issuer.ts'
import type { Principal } from '../../src/identity/index.ts'
import { AWS_ACCOUNT, ETL_ROLE, GET_CALLER_IDENTITY_TYPE, signedGetCallerIdentity, startAwsWorld, WEB_ROLE } from './workload-identity-support.ts'

// Workload identity end to end, on both engines: a real Conductor (Fastify, the project's policies, a stub Airflow), three
// local workload issuers (GitHub-, Kubernetes- and GitLab-style tokens signed with keys they publish), and a real moto STS
// that checks SigV4 signatures. Service account etl-ci (group data-eng, owned by data-eng) trusts one GitHub workflow, one
// Kubernetes service account, one GitLab project and one AWS role; workloads exchange their credentials at /oauth/token.
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const JWT = 'urn:ietf:params:oauth:token-type:jwt'
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token'
const SERVER_ID = 'conductor.test'

let aws: Awaited<ReturnType<typeof startAwsWorld>>
let github: WorkloadIssuer
let cluster: WorkloadIssuer
let gitlab: WorkloadIssuer
let corporateIdp: WorkloadIssuer
let audience: string
let port: number

before(async () => {
  port = await freePort()
  audience = `http://127.0.0.1:${port}`
  aws = await startAwsWorld()
  github = await startWorkloadIssuer({ audience })
  cluster = await startWorkloadIssuer({ audience })
  gitlab = await startWorkloadIssuer({ audience })
  corporateIdp = await startWorkloadIssuer({ audience: 'conductor' })
})
after(async () => {
  await aws?.moto.stop()
  await github?.close()
  await cluster?.close()
  await gitlab?.close()
  await corporateIdp?.close()
})

forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  const tokens: Record<string, string> = {}
  const alice: Principal = { type: 'User', id: 'alice', subject: 'alice', issuer: 'dev', username: 'alice', displayName: null, email: null, groups: ['data-eng'], idpGroups: ['data-eng'] }

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }, { dagId: 'ledger_close', tags: ['team:finance'], owners: ['finance'] }])
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'prod', url: stub.url, retries: 0 }], port,
      identity: {
        workloadIssuers: [
          { name: 'github', kind: 'github', issuer: github.url, audience },
          { name: 'prod-cluster', kind: 'kubernetes', issuer: cluster.url, audience, jwksUri: `${cluster.url}/.well-known/jwks` },
          { name: 'gitlab', kind: 'oidc', issuer: gitlab.url, audience: [audience, 'https://conductor.example.com'] },
        ],
        aws: { enabled: true, stsEndpoint: aws.moto.url, serverId: SERVER_ID },
        // A corporate IdP whose client-credentials tokens are ServiceAccount principals (not Conductor's service accounts).
        issuers: [{ name: 'corp', issuer: corporateIdp.url, serviceAccountWhen: { claim: 'client_id', pattern: '.+' } }],
        groupMappings: [{ from: ETL_ROLE, to: 'aws-etl-deployers', issuer: 'aws' }],
      },
    })
    await app.listen()
    for (const user of ['alice', 'bob']) tokens[user] = await app.tokenFor(user)
    await app.serviceAccounts.create(alice, { name: 'etl-ci', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'], description: 'ETL deployments' })
    const rules = [
      { issuer: 'github', conditions: { repository: 'acme/etl', ref: 'refs/heads/main', workflow: 'deploy' }, description: 'deploys from main' },
      { issuer: 'prod-cluster', conditions: { namespace: 'etl', serviceAccount: 'runner' } },
      { issuer: 'gitlab', conditions: { project_path: 'acme/etl', ref_protected: 'true' } },
      { issuer: 'aws', conditions: { arn: ETL_ROLE } },
    ]
    for (const rule of rules) {
      const added = await api('POST', '/api/v1/service-accounts/etl-ci/trusts', 'alice', rule)
      assert.equal(added.statusCode, 201, added.body)
    }
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, as: string, payload?: unknown) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[as] ?? as}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  /** POSTs a form to /oauth/token as a workload would (curl -d). */
  const exchange = (params: Record<string, string>) => app.server.inject({
    method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(params).toString(),
  })
  const workload = (subjectToken: string, more: Record<string, string> = {}) => exchange({ grant_type: GRANT, subject_token: subjectToken, subject_token_type: JWT, ...more })
  const awsExchange = (subjectToken: string) => exchange({ grant_type: GRANT, subject_token: subjectToken, subject_token_type: GET_CALLER_IDENTITY_TYPE })
  const refused = (answer: { statusCode: number; json(): { error: string; error_code?: string; error_field?: string } }, error: string, code?: string) => {
    assert.equal(answer.statusCode, 400, JSON.stringify(answer.json()))
    assert.equal(answer.json().error, error)
    if (code) assert.equal(answer.json().error_code, code)
  }
  const readDag = (token: string, dag = 'etl_daily') => api('GET', `/api/v1/environments/prod/dags/${dag}`, token)

  test('the authorization server metadata names the token endpoint and the AWS server id', async () => {
    const meta = await app.server.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })
    assert.equal(meta.statusCode, 200)
    assert.deepEqual({ ...(meta.json() as object), conductor_subject_token_types_supported: undefined }, {
      issuer: audience, token_endpoint: `${audience}/oauth/token`, grant_types_supported: [GRANT], token_endpoint_auth_methods_supported: ['none'],
      conductor_subject_token_types_supported: undefined, conductor_aws_server_id: SERVER_ID, conductor_aws_sts_endpoint: aws.moto.url, conductor_aws_region: 'us-east-1',
    })
    const loaded = (await app.audit.query({ type: 'config.loaded' })).at(-1)!
    assert.deepEqual((loaded.data.workloadIssuers as { name: string }[]).map((i) => i.name), ['github', 'prod-cluster', 'gitlab'], 'the audit trail says which workload issuers are trusted')
    assert.deepEqual(loaded.data.aws, { stsEndpoint: aws.moto.url, serverId: SERVER_ID })
  })

  describe('GitHub Actions', () => {
    test('the trusted workflow on main gets a short-lived token that reads etl_daily, and policy still refuses the finance DAG', async () => {
      const githubToken = await github.github({ repository: 'acme/etl', ref: 'refs/heads/main', workflow: 'deploy' })
      const answer = await workload(githubToken)
      assert.equal(answer.statusCode, 200, answer.body)
      assert.equal(answer.headers['cache-control'], 'no-store')
      const body = answer.json()
      assert.equal(body.token_type, 'Bearer')
      assert.equal(body.issued_token_type, ACCESS_TOKEN)
      assert.match(body.access_token, /^cdx_/)
      assert.ok(body.expires_in > 240 && body.expires_in <= 300, `never past the GitHub token's 5 minutes: ${body.expires_in}`)
      assert.equal(body.scope, undefined)
      const short = await workload(await github.github({}, { expiresInSeconds: 45 }))
      assert.ok(short.json().expires_in <= 45, `a GitHub token with 45 s left gives at most 45 s: ${short.json().expires_in}`)

      const me = await api('GET', '/api/v1/me', body.access_token)
      assert.equal(me.statusCode, 200, me.body)
      assert.deepEqual([me.json().type, me.json().id, me.json().groups], ['ServiceAccount', 'etl-ci', ['data-eng']])
      assert.equal((await readDag(body.access_token)).statusCode, 200)
      assert.equal((await readDag(body.access_token, 'ledger_close')).statusCode, 404, 'a DAG policy does not let it read is not even shown')

      const [event] = (await app.audit.query({ type: 'token.exchanged' })).filter((e) => (e.data as { subjectKind?: string }).subjectKind === 'workload').slice(-1)
      const data = event!.data as Record<string, unknown>
      assert.equal(data.issuer, 'github')
      assert.equal(data.serviceAccount, 'etl-ci')
      assert.deepEqual({ ...(data.claims as object) }, {
        sub: 'repo:acme/etl:ref:refs/heads/main', repository: 'acme/etl', ref: 'refs/heads/main', workflow: 'deploy',
        job_workflow_ref: 'acme/etl/.github/workflows/deploy.yml@refs/heads/main', run_id: '1234', actor: 'octocat', event_name: 'push',
      })
      const trail = JSON.stringify(await app.audit.query({}))
      assert.ok(!trail.includes(githubToken) && !trail.includes(body.access_token) && !trail.includes(body.access_token.slice(body.access_token.indexOf('_', 4) + 1)), 'no token in the audit trail')
    })

    test('another repository, branch or workflow is invalid_grant; nothing is issued', async () => {
      const issuedBefore = (await app.audit.query({ type: 'token.created' })).length
      refused(await workload(await github.github({ repository: 'acme/etl-fork' })), 'invalid_grant')
      refused(await workload(await github.github({ repository: 'evil/etl' })), 'invalid_grant')
      refused(await workload(await github.github({ ref: 'refs/heads/feature' })), 'invalid_grant')
      refused(await workload(await github.github({ workflow: 'lint' })), 'invalid_grant')
      assert.equal((await app.audit.query({ type: 'token.created' })).length, issuedBefore)
      const failures = await app.audit.query({ type: 'auth.failed' })
      assert.equal((failures.at(-1)!.data as { reason: string }).reason, 'invalid_grant')
    })

    test('a token for another audience, expired, HS256-signed or signed by an unknown key is refused', async () => {
      refused(await workload(await github.github({}, { audience: 'https://other.example.com' })), 'invalid_request', 'token_invalid_audience')
      refused(await workload(await github.github({}, { expiresInSeconds: -600 })), 'invalid_request', 'token_expired')
      refused(await workload(await github.github({}, { hs256: true })), 'invalid_request', 'token_algorithm_not_allowed')
      refused(await workload(await github.github({}, { wrongKey: true })), 'invalid_request', 'token_invalid_signature')
      const answer = await workload(await github.github({}, { issuer: 'https://token.actions.githubusercontent.com' }))
      refused(answer, 'invalid_request', 'token_invalid_issuer')
      assert.equal(answer.json().error_field, 'subject_token')
    })
  })

  test('Kubernetes: the runner service account in etl is trusted; another namespace or service account is not', async () => {
    const ok = await workload(await cluster.kubernetes({ namespace: 'etl', serviceAccount: 'runner' }))
    assert.equal(ok.statusCode, 200, ok.body)
    assert.equal((await readDag(ok.json().access_token)).statusCode, 200)
    refused(await workload(await cluster.kubernetes({ namespace: 'web', serviceAccount: 'runner' })), 'invalid_grant')
    refused(await workload(await cluster.kubernetes({ namespace: 'etl', serviceAccount: 'default' })), 'invalid_grant')
    const event = (await app.audit.query({ type: 'token.exchanged' })).at(-1)!
    assert.deepEqual((event.data as { claims: unknown }).claims, { sub: 'system:serviceaccount:etl:runner', namespace: 'etl', serviceAccount: 'runner' })
  })

  test('a generic OIDC issuer with custom conditions, sent as JSON with a narrowing scope', async () => {
    const token = await gitlab.sign({ sub: 'project_path:acme/etl:ref_type:branch:ref:main', project_path: 'acme/etl', ref_protected: 'true' })
    const answer = await app.server.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: GRANT, subject_token: token, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', scope: 'dag:read', resource: audience } })
    assert.equal(answer.statusCode, 200, answer.body)
    assert.equal(answer.json().scope, 'dag:read')
    const unprotected = await gitlab.sign({ sub: 'x', project_path: 'acme/etl', ref_protected: 'false' })
    refused(await workload(unprotected), 'invalid_grant')
  })

  describe('AWS IAM', () => {
    test('the trusted role gets a token with the groups its ARN maps to; another role is refused', async () => {
      const answer = await awsExchange(signedGetCallerIdentity(aws.moto.url, await aws.assume(ETL_ROLE), SERVER_ID))
      assert.equal(answer.statusCode, 200, answer.body)
      const me = await api('GET', '/api/v1/me', answer.json().access_token)
      assert.equal(me.statusCode, 200, me.body)
      assert.deepEqual([me.json().id, me.json().groups], ['etl-ci', ['aws-etl-deployers', 'data-eng']])
      const event = (await app.audit.query({ type: 'token.exchanged' })).at(-1)!
      assert.deepEqual((event.data as { claims: unknown }).claims, { arn: `arn:aws:sts::${AWS_ACCOUNT}:assumed-role/etl-deployer/ci-job`, roleArn: ETL_ROLE, account: AWS_ACCOUNT })
      refused(await awsExchange(signedGetCallerIdentity(aws.moto.url, await aws.assume(WEB_ROLE), SERVER_ID)), 'invalid_grant')
    })

    test('a request signed for another server, addressed elsewhere, with another body, or tampered with is refused', async () => {
      const role = await aws.assume(ETL_ROLE)
      refused(await awsExchange(signedGetCallerIdentity(aws.moto.url, role, 'other-conductor.test')), 'invalid_request', 'token_invalid_audience')
      refused(await awsExchange(signedGetCallerIdentity('http://169.254.169.254/', role, SERVER_ID)), 'invalid_request', 'token_invalid_issuer')
      refused(await awsExchange(signedGetCallerIdentity(aws.moto.url, role, SERVER_ID, (r) => { r.body = 'Action=GetCallerIdentity&Version=2011-06-15&x=1' })), 'invalid_request', 'token_invalid_claims')
      // Signed for this server, then the server id swapped: the checks pass, STS (moto, verifying SigV4) refuses it.
      refused(await awsExchange(signedGetCallerIdentity(aws.moto.url, role, 'other', (r) => { r.headers['x-conductor-server-id'] = SERVER_ID })), 'invalid_request', 'token_invalid_signature')
      refused(await awsExchange(signedGetCallerIdentity(aws.moto.url, { ...role, secretAccessKey: 'not-the-secret' }, SERVER_ID)), 'invalid_request', 'token_invalid_signature')
      const trail = JSON.stringify(await app.audit.query({}))
      assert.ok(!trail.includes(role.secretAccessKey) && !trail.includes(role.sessionToken!) && !/Signature=[0-9a-f]{64}/.test(trail), 'no AWS credential or signature in the audit trail')
    })
  })

  describe('people and Conductor tokens', () => {
    test('a person\'s IdP token is exchanged for a token narrowed to dag:read that never outlives it', async () => {
      const answer = await exchange({ grant_type: GRANT, subject_token: tokens.alice!, subject_token_type: ACCESS_TOKEN, scope: 'dag:read', audience: 'conductor' })
      assert.equal(answer.statusCode, 200, answer.body)
      assert.equal(answer.json().scope, 'dag:read')
      const token = answer.json().access_token as string
      const me = await api('GET', '/api/v1/me', token)
      assert.deepEqual([me.json().type, me.json().id], ['User', 'alice'])
      assert.equal((await readDag(token)).statusCode, 200)
      const trigger = await api('POST', '/api/v1/environments/prod/dags/etl_daily/runs', token, {})
      assert.equal(trigger.statusCode, 403, trigger.body)
      assert.match(trigger.json().error.message, /scope/)
    })

    test('an IdP token of a service principal is not exchanged, even one named like a Conductor service account', async () => {
      const corpToken = await corporateIdp.sign({ sub: 'reporting', preferred_username: 'reporting', client_id: 'reporting' })
      assert.equal((await api('GET', '/api/v1/me', corpToken)).json().type, 'ServiceAccount')
      refused(await exchange({ grant_type: GRANT, subject_token: corpToken, subject_token_type: ACCESS_TOKEN }), 'invalid_grant')
      const lookalike = await corporateIdp.sign({ sub: 'etl-ci', preferred_username: 'etl-ci', client_id: 'etl-ci' })
      refused(await exchange({ grant_type: GRANT, subject_token: lookalike, subject_token_type: ACCESS_TOKEN }), 'invalid_request', 'token_principal_conflict')
    })

    test('an IdP service principal named like a Conductor service account is refused everywhere: it would share its Cedar id', async () => {
      const lookalike = await corporateIdp.sign({ sub: 'etl-ci', preferred_username: 'etl-ci', client_id: 'etl-ci' })
      const me = await api('GET', '/api/v1/me', lookalike)
      assert.deepEqual([me.statusCode, me.json().error.code], [401, 'token_principal_conflict'], me.body)
      const failed = (await app.audit.query({ type: 'auth.failed', limit: 1000 })).find((e) => e.data.reason === 'token_principal_conflict')
      assert.ok(failed, 'the refusal is audited')
      assert.ok(!JSON.stringify(failed).includes(lookalike), 'the token is not in the audit trail')
    })

    test('an API token is exchanged with its scope kept and its expiry not extended; asking more scope is invalid_scope', async () => {
      const apiToken = await app.accessTokens.issue({ kind: 'api', name: 'laptop', principal: { type: 'User', id: 'alice' }, scope: { actions: ['dag:read'], environments: ['prod'] }, expiresInSeconds: 120, createdBy: 'User:alice' })
      const answer = await exchange({ grant_type: GRANT, subject_token: apiToken.token, subject_token_type: ACCESS_TOKEN })
      assert.equal(answer.statusCode, 200, answer.body)
      assert.ok(answer.json().expires_in <= 120, `not past the API token's expiry: ${answer.json().expires_in}`)
      const info = await app.accessTokens.list({ type: 'User', id: 'alice' })
      const exchanged = info.find((t) => t.kind === 'exchanged' && t.parentId === apiToken.id)
      assert.deepEqual(exchanged?.scope, { actions: ['dag:read'], environments: ['prod'] })
      refused(await exchange({ grant_type: GRANT, subject_token: apiToken.token, subject_token_type: ACCESS_TOKEN, scope: 'dag:trigger' }), 'invalid_scope')

      // Exchanged again, then the API token is revoked: every token down the chain stops at once.
      const again = await exchange({ grant_type: GRANT, subject_token: answer.json().access_token, subject_token_type: ACCESS_TOKEN })
      assert.equal(again.statusCode, 200, again.body)
      assert.equal((await readDag(again.json().access_token)).statusCode, 200)
      await app.accessTokens.revoke(alice, apiToken.id, 'laptop lost')
      assert.equal((await readDag(answer.json().access_token)).statusCode, 401)
      assert.equal((await readDag(again.json().access_token)).statusCode, 401)
    })
  })

  test('bad requests: wrong grant type, foreign resource, unknown scope, missing parameters, a service_account that does not trust the workload', async () => {
    const githubToken = await github.github()
    refused(await exchange({ grant_type: 'client_credentials' }), 'unsupported_grant_type')
    const target = await workload(githubToken, { resource: 'https://other.example.com' })
    refused(target, 'invalid_target')
    assert.equal(target.json().error_field, 'resource')
    refused(await workload(githubToken, { scope: 'dag:fly' }), 'invalid_scope')
    const missing = await exchange({ grant_type: GRANT, subject_token_type: JWT })
    refused(missing, 'invalid_request')
    assert.equal(missing.json().error_field, 'subject_token')
    refused(await workload(githubToken, { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }), 'invalid_request')
    refused(await workload(githubToken, { service_account: 'someone-else' }), 'invalid_grant')
    assert.equal((await workload(githubToken, { service_account: 'etl-ci' })).statusCode, 200)
  })

  describe('trust rules', () => {
    test('rules that trust too much are 400 trust_rule_invalid naming the condition, and nothing is stored', async () => {
      const before = (await api('GET', '/api/v1/service-accounts/etl-ci/trusts', 'alice')).json().trusts.length
      const cases: [unknown, string][] = [
        [{ issuer: 'github', conditions: { repository: '*/etl' } }, 'conditions.repository'],
        [{ issuer: 'github', conditions: { ref: 'refs/heads/main' } }, 'conditions.repository'],
        [{ issuer: 'prod-cluster', conditions: { namespace: 'etl' } }, 'conditions.serviceAccount'],
        [{ issuer: 'aws', conditions: { arn: 'arn:aws:iam::*:role/etl-deployer' } }, 'conditions.arn'],
        [{ issuer: 'gitlab', conditions: { sub: '*' } }, 'conditions'],
        [{ issuer: 'bitbucket', conditions: { sub: 'x' } }, 'issuer'],
      ]
      for (const [rule, field] of cases) {
        const answer = await api('POST', '/api/v1/service-accounts/etl-ci/trusts', 'alice', rule)
        assert.equal(answer.statusCode, 400, answer.body)
        assert.deepEqual([answer.json().error.code, answer.json().error.details.field], ['trust_rule_invalid', field], JSON.stringify(rule))
      }
      assert.equal((await api('GET', '/api/v1/service-accounts/etl-ci/trusts', 'alice')).json().trusts.length, before)
    })

    test('an outsider may not add a rule; the owner removes one and its workload is refused at once; both changes are audited', async () => {
      const outsider = await api('POST', '/api/v1/service-accounts/etl-ci/trusts', 'bob', { issuer: 'github', conditions: { repository: 'bob/tools' } })
      assert.equal(outsider.statusCode, 403, outsider.body)
      const added = await api('POST', '/api/v1/service-accounts/etl-ci/trusts', 'alice', { issuer: 'github', conditions: { repository: 'acme/etl', environment: 'staging' } })
      assert.equal(added.statusCode, 201, added.body)
      const staging = () => github.github({ repository: 'acme/etl', environment: 'staging', workflow: 'stage' })
      assert.equal((await workload(await staging())).statusCode, 200)
      const removed = await api('DELETE', `/api/v1/service-accounts/etl-ci/trusts/${added.json().trust.id}`, 'alice')
      assert.equal(removed.statusCode, 200, removed.body)
      refused(await workload(await staging()), 'invalid_grant')
      assert.equal((await api('DELETE', `/api/v1/service-accounts/etl-ci/trusts/${added.json().trust.id}`, 'alice')).json().error.code, 'trust_rule_not_found')
      const types = (await app.audit.query({})).map((e) => e.type)
      assert.ok(types.includes('service_account.trust_added') && types.includes('service_account.trust_removed'))
    })
  })

  test('disabling the service account refuses new exchanges and kills its exchanged tokens at once', async () => {
    const answer = await workload(await github.github())
    assert.equal(answer.statusCode, 200, answer.body)
    const token = answer.json().access_token as string
    assert.equal((await readDag(token)).statusCode, 200)
    await app.serviceAccounts.disable(alice, 'etl-ci', 'credential rotation')
    const after = await readDag(token)
    assert.equal(after.statusCode, 401, after.body)
    refused(await workload(await github.github()), 'invalid_grant')
    await app.serviceAccounts.enable(alice, 'etl-ci')
  })

  test('when two service accounts trust one credential, the workload names one with service_account', async () => {
    await app.serviceAccounts.create(alice, { name: 'reports', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'] })
    const added = await api('POST', '/api/v1/service-accounts/reports/trusts', 'alice', { issuer: 'gitlab', conditions: { project_path: 'acme/*', ref_protected: 'true' } })
    assert.equal(added.statusCode, 201, added.body)
    const token = await gitlab.sign({ sub: 'project_path:acme/etl', project_path: 'acme/etl', ref_protected: 'true' })
    const ambiguous = await workload(token)
    refused(ambiguous, 'invalid_request')
    assert.equal(ambiguous.json().error_field, 'service_account')
    assert.match(ambiguous.json().error_description, /etl-ci, reports/)
    const chosen = await workload(token, { service_account: 'reports' })
    assert.equal(chosen.statusCode, 200, chosen.body)
    assert.equal((await api('GET', '/api/v1/me', chosen.json().access_token)).json().id, 'reports')
  })
})
