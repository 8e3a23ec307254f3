/** A local issuer of workload identity tokens (GitHub Actions- and Kubernetes-style) for tests: discovery + JWKS on loopback. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { CryptoKey, JWTPayload } from 'jose'

/** How {@link WorkloadIssuer.sign} should (mis)sign a token. */
export interface SignOptions {
  /** `aud` (default: the issuer's `audience`). */
  audience?: string | string[]
  /** Lifetime in seconds from now (default 300); negative gives an expired token. */
  expiresInSeconds?: number
  /** Sign with a key the issuer does not publish. */
  wrongKey?: boolean
  /** Sign with HS256 (a shared secret) instead of RS256. */
  hs256?: boolean
  /** `iss` (default: the issuer's URL). */
  issuer?: string
}

/** A running local workload issuer. */
export interface WorkloadIssuer {
  /** The issuer URL (`iss`), e.g. `http://127.0.0.1:PORT`. */
  url: string
  /** The audience tokens get by default. */
  audience: string
  /** Signs `claims` (RS256 with the published key unless `options` say otherwise); `iat`/`exp`/`iss`/`aud` are added. */
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>
  /** A GitHub Actions-style token for `repository` (owner/name) on `ref`, with the claims GitHub sets. */
  github(input?: { repository?: string; ref?: string; environment?: string; workflow?: string }, options?: SignOptions): Promise<string>
  /** A Kubernetes projected service-account token for `namespace`/`serviceAccount`. */
  kubernetes(input: { namespace: string; serviceAccount: string }, options?: SignOptions): Promise<string>
  /** How many times the JWKS was fetched. */
  jwksFetches(): number
  close(): Promise<void>
}

/** Starts a {@link WorkloadIssuer} on 127.0.0.1 (free port) with one RS256 key. */
export async function startWorkloadIssuer(options: { audience?: string } = {}): Promise<WorkloadIssuer> {
  const audience = options.audience ?? 'conductor'
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const stranger = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'workload-1', alg: 'RS256', use: 'sig' }
  let url = ''
  let fetches = 0
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/.well-known/jwks`, id_token_signing_alg_values_supported: ['RS256'], response_types_supported: ['id_token'], subject_types_supported: ['public'] }))
    } else if (path === '/.well-known/jwks') {
      fetches++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ keys: [jwk] }))
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  async function sign(claims: JWTPayload, opts: SignOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    const lifetime = opts.expiresInSeconds ?? 300
    const payload = { iat: lifetime < 0 ? now + lifetime - 60 : now, ...claims }
    const jwt = new SignJWT(payload)
      .setIssuer(opts.issuer ?? url)
      .setAudience(opts.audience ?? audience)
      .setExpirationTime(now + lifetime)
    if (opts.hs256) return jwt.setProtectedHeader({ alg: 'HS256', kid: 'workload-1' }).sign(new TextEncoder().encode('a-shared-secret-anyone-could-guess-0123456789'))
    const key: CryptoKey = opts.wrongKey ? stranger.privateKey : privateKey
    return jwt.setProtectedHeader({ alg: 'RS256', kid: opts.wrongKey ? 'stranger' : 'workload-1', typ: 'JWT' }).sign(key)
  }

  return {
    url,
    audience,
    sign,
    github(input = {}, opts) {
      const repository = input.repository ?? 'acme/etl'
      const ref = input.ref ?? 'refs/heads/main'
      const owner = repository.split('/')[0]!
      const workflow = input.workflow ?? 'deploy'
      return sign({
        sub: `repo:${repository}:${input.environment ? `environment:${input.environment}` : `ref:${ref}`}`,
        repository, repository_owner: owner, repository_id: '4242', repository_owner_id: '99', ref, ref_type: 'branch', sha: 'a'.repeat(40),
        ...(input.environment ? { environment: input.environment } : {}),
        workflow, job_workflow_ref: `${repository}/.github/workflows/${workflow}.yml@${ref}`, event_name: 'push', actor: 'octocat',
        run_id: '1234', run_attempt: '1', runner_environment: 'github-hosted',
      }, opts)
    },
    kubernetes({ namespace, serviceAccount }, opts) {
      return sign({
        sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
        'kubernetes.io': { namespace, serviceaccount: { name: serviceAccount, uid: '5c4d1f2e-0000-4000-8000-000000000001' }, pod: { name: `${serviceAccount}-pod`, uid: '5c4d1f2e-0000-4000-8000-000000000002' } },
      }, opts)
    },
    jwksFetches: () => fetches,
    close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()) }),
  }
}
