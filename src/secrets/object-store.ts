import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import aws4 from 'aws4'
import { request } from 'undici'
import { ConductorError, type Clock } from '../core/index.ts'
import { createAwsCredentialChain } from './aws-credentials.ts'

/** Where an S3 (or S3-compatible) object store is, and how to reach it: the `audit.archive.s3` config. */
export interface S3StoreConfig {
  region: string
  /** An S3-compatible endpoint (MinIO, a VPC endpoint, a local test server): path-style addressing. Default: AWS, virtual-hosted. */
  endpoint?: string | undefined
  stsEndpoint?: string | undefined
  profile?: string | undefined
  timeoutMs: number
}

/** An `s3://bucket/key` location. */
export interface ObjectLocation {
  bucket: string
  key: string
}

/** Objects in one S3 store, reached with the standard AWS credential chain; no credential ever reaches an error. */
export interface ObjectStore {
  /** Uploads the file at `path` to `at` with its SHA-256 (hex), which S3 checks; refuses (`invalid_input`, field `to`) an object that exists. */
  putFile(at: ObjectLocation, path: string, sha256: string): Promise<void>
  /** Downloads `at` into the file at `path`; `not_found` when there is no such object. */
  getFile(at: ObjectLocation, path: string): Promise<void>
}

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/

/** True for an `s3://` location (as opposed to a file path). */
export function isObjectUrl(value: string): boolean {
  return value.startsWith('s3://')
}

/** Parses `s3://bucket/key`; `invalid_input` naming `field` otherwise. */
export function parseObjectUrl(value: string, field: string): ObjectLocation {
  const match = S3_URL.exec(value)
  if (!match || match[2]!.endsWith('/')) throw new ConductorError('invalid_input', `"${value}" is not an object location (s3://BUCKET/KEY)`, { details: { field } })
  return { bucket: match[1]!, key: match[2]! }
}

/** The object store of `config`, signing each call with SigV4 (`UNSIGNED-PAYLOAD` is never used: uploads carry their SHA-256). */
export function createS3ObjectStore(config: S3StoreConfig, options: { clock: Clock; environment: Readonly<Record<string, string | undefined>> }): ObjectStore {
  const provider = 'audit.archive.s3'
  const chain = createAwsCredentialChain({
    provider, region: config.region, stsEndpoint: config.stsEndpoint, profile: config.profile, timeoutMs: config.timeoutMs, clock: options.clock, environment: options.environment,
  })
  const custom = config.endpoint === undefined ? undefined : new URL(config.endpoint)

  /** Host and path of an object: path-style on a custom endpoint, virtual-hosted on AWS. */
  const address = (at: ObjectLocation) => {
    const key = at.key.split('/').map(encodeURIComponent).join('/')
    return custom === undefined
      ? { protocol: 'https:', host: `${at.bucket}.s3.${config.region}.amazonaws.com`, path: `/${key}` }
      : { protocol: custom.protocol, host: custom.host, path: `${custom.pathname.replace(/\/+$/, '')}/${at.bucket}/${key}` }
  }

  async function call(method: 'GET' | 'HEAD' | 'PUT', at: ObjectLocation, extra: { headers?: Record<string, string>; body?: Readable } = {}) {
    const { protocol, host, path } = address(at)
    const signed = aws4.sign({
      host, path, method, service: 's3', region: config.region,
      headers: { 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', ...extra.headers },
    }, await chain.credentials())
    try {
      return await request(`${protocol}//${host}${path}`, {
        method, headers: signed.headers as Record<string, string>, ...(extra.body ? { body: extra.body } : {}),
        headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs,
      })
    } catch (error) {
      throw new ConductorError('archive_store_unavailable', `the object store at ${host} cannot be reached (${(error as { code?: string }).code ?? 'network error'})`, { details: { provider } })
    }
  }

  const refused = async (answer: Awaited<ReturnType<typeof call>>, what: string) => {
    const text = await answer.body.text()
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? String(answer.statusCode)
    return new ConductorError('archive_store_refused', `the object store refused ${what} (${answer.statusCode} ${code})`, { details: { provider } })
  }

  return {
    async putFile(at, path, sha256) {
      const head = await call('HEAD', at)
      await head.body.dump()
      if (head.statusCode === 200) throw new ConductorError('invalid_input', `s3://${at.bucket}/${at.key} exists already: an archive is never overwritten`, { details: { field: 'to' } })
      const { size } = await stat(path)
      const answer = await call('PUT', at, {
        headers: { 'x-amz-content-sha256': sha256, 'content-length': String(size), 'content-type': 'application/octet-stream', 'if-none-match': '*' },
        body: createReadStream(path),
      })
      if (answer.statusCode !== 200) throw await refused(answer, `the upload of s3://${at.bucket}/${at.key}`)
      await answer.body.dump()
    },
    async getFile(at, path) {
      const answer = await call('GET', at)
      if (answer.statusCode === 404) {
        await answer.body.dump()
        throw new ConductorError('not_found', `there is no object s3://${at.bucket}/${at.key}`, { details: { field: 'file' } })
      }
      if (answer.statusCode !== 200) throw await refused(answer, `the download of s3://${at.bucket}/${at.key}`)
      await pipeline(answer.body, createWriteStream(path))
    },
  }
}
