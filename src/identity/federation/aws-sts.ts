import type { AwsIdentityConfig } from '../../config/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { ErrorCode } from '../../core/index.ts'

/** The `subject_token_type` of a signed `sts:GetCallerIdentity` request (AWS IAM sign-in). */
export const AWS_GET_CALLER_IDENTITY_TOKEN_TYPE = 'urn:conductor:params:oauth:token-type:aws-sts-get-caller-identity'
/** The header a caller signs Conductor's server id into, so the signed request is good for this server only. */
export const SERVER_ID_HEADER = 'x-conductor-server-id'
/** The only body Conductor forwards to STS. */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15'

/** What STS said about the signer of a `GetCallerIdentity` request. */
export interface AwsCallerIdentity {
  /** The caller's ARN as STS returns it (`arn:aws:sts::…:assumed-role/ROLE/SESSION`, `arn:aws:iam::…:user/NAME`). */
  arn: string
  /** The IAM role ARN (`arn:aws:iam::ACCOUNT:role/ROLE`) of an assumed role; `null` for other callers. */
  roleArn: string | null
  account: string
  userId: string
}

/** The signed request a caller sends, decoded from the subject token. */
export interface SignedStsRequest {
  method: string
  url: string
  headers: Record<string, string>
  body: string
}

const MAX_SUBJECT_BYTES = 16_384
const SIGNATURE_WINDOW_MS = 15 * 60_000
const DROPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'expect', 'keep-alive', 'upgrade'])

function refuse(code: ErrorCode, message: string, cause?: unknown): ConductorError {
  return new ConductorError(code, `aws: ${message}`, { details: { issuer: 'aws' }, cause })
}

/**
 * Decodes a subject token (base64url of JSON `{ method, url, headers, body }`) into a request, refusing with
 * `token_malformed` anything else. Header names are lower-cased; a header given as a list is joined with `,`, a number (aws4's Content-Length) becomes its text.
 */
export function decodeSignedStsRequest(subjectToken: string): SignedStsRequest {
  if (subjectToken.length > MAX_SUBJECT_BYTES) throw refuse('token_too_large', `the signed request is larger than ${MAX_SUBJECT_BYTES} bytes`)
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(subjectToken)) throw refuse('token_malformed', 'the subject token is not base64url')
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(subjectToken, 'base64url').toString('utf8'))
  } catch (error) {
    throw refuse('token_malformed', 'the subject token is not base64url-encoded JSON', error)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw refuse('token_malformed', 'the subject token is not a JSON object')
  const { method, url, headers, body } = parsed as Record<string, unknown>
  if (typeof method !== 'string' || typeof url !== 'string' || typeof body !== 'string' || headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw refuse('token_malformed', 'the signed request needs string method, url and body and a headers object')
  }
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const text = Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(',') : typeof value === 'number' && Number.isFinite(value) ? String(value) : value
    if (typeof text !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(text)) {
      throw refuse('token_malformed', `the signed request's header ${JSON.stringify(name.slice(0, 64))} is not valid`)
    }
    out[name.toLowerCase()] = text
  }
  return { method, url, headers: out, body }
}

/**
 * Checks a signed request before anything is sent: POST, to exactly `stsEndpoint` (nothing else is ever
 * contacted), with the `GetCallerIdentity` body, an `AWS4-HMAC-SHA256` Authorization for service `sts` in `region` whose
 * SignedHeaders include `x-conductor-server-id` and `x-amz-date`, that header equal to `serverId`, and the signature
 * made within 15 minutes of `now` (as STS requires).
 */
export function checkSignedStsRequest(request: SignedStsRequest, config: Pick<AwsIdentityConfig, 'stsEndpoint' | 'region'>, serverId: string, now: number = Date.now()): void {
  if (request.method.toUpperCase() !== 'POST') throw refuse('token_invalid_claims', 'the signed request must be a POST')
  const target = URL.parse(request.url)
  if (target === null || target.href !== new URL(config.stsEndpoint).href) {
    throw refuse('token_invalid_issuer', 'the signed request is not addressed to the configured STS endpoint')
  }
  if (request.body !== GET_CALLER_IDENTITY_BODY) throw refuse('token_invalid_claims', `the signed request's body must be exactly ${GET_CALLER_IDENTITY_BODY}`)
  const authorization = request.headers.authorization ?? ''
  const match = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=[0-9a-f]{64}$/.exec(authorization)
  if (match === null) throw refuse('token_invalid_claims', 'the signed request has no AWS4-HMAC-SHA256 Authorization')
  const scope = match[1]!.split('/')
  if (scope.length !== 5 || scope[3] !== 'sts' || scope[4] !== 'aws4_request') throw refuse('token_invalid_claims', 'the signed request is not signed for service sts')
  if (scope[2] !== config.region) throw refuse('token_invalid_claims', `the signed request is signed for region ${JSON.stringify(scope[2]!.slice(0, 32))}, not ${config.region}`)
  if (!match[2]!.split(';').includes(SERVER_ID_HEADER)) {
    throw refuse('token_invalid_audience', `the signature does not cover the ${SERVER_ID_HEADER} header`)
  }
  if (request.headers[SERVER_ID_HEADER] !== serverId) {
    throw refuse('token_invalid_audience', `the signed ${SERVER_ID_HEADER} does not name this server`)
  }
  // STS itself refuses a signature older than 15 minutes; checking first keeps stale requests from being sent at all.
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(request.headers['x-amz-date'] ?? '')
  if (stamp === null || !match[2]!.split(';').includes('x-amz-date')) throw refuse('token_invalid_claims', 'the signed request has no signed X-Amz-Date')
  const signedAt = Date.UTC(Number(stamp[1]), Number(stamp[2]) - 1, Number(stamp[3]), Number(stamp[4]), Number(stamp[5]), Number(stamp[6]))
  if (signedAt < now - SIGNATURE_WINDOW_MS) throw refuse('token_expired', 'the signed request is older than 15 minutes')
  if (signedAt > now + SIGNATURE_WINDOW_MS) throw refuse('token_not_yet_valid', 'the signed request is dated more than 15 minutes ahead')
}

/** Reads the text of `<tag>` from an STS XML answer (the values are ARNs and ids: no entities to decode beyond the basic five). */
function xmlText(xml: string, tag: string): string | null {
  const value = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1]
  if (value === undefined) return null
  return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'').replace(/&amp;/g, '&')
}

/** `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` → `arn:aws:iam::ACCT:role/ROLE`; `null` for any other ARN. */
export function roleArnOf(arn: string): string | null {
  const match = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn)
  return match === null ? null : `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`
}

/**
 * Forwards a checked request to STS (10 s timeout, no redirects) and reads the caller's identity. A refusal by STS
 * (bad or tampered signature, expired credentials: HTTP 4xx) is `token_invalid_signature`; STS unreachable or
 * failing is `issuer_unavailable`.
 */
export async function callGetCallerIdentity(request: SignedStsRequest, config: Pick<AwsIdentityConfig, 'stsEndpoint'>, fetchImpl: typeof globalThis.fetch, timeoutMs = 10_000): Promise<AwsCallerIdentity> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) if (!DROPPED_HEADERS.has(name)) headers[name] = value
  let response: Response
  let text: string
  try {
    response = await fetchImpl(config.stsEndpoint, { method: 'POST', headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
    text = (await response.text()).slice(0, 65_536)
  } catch (error) {
    throw refuse('issuer_unavailable', 'STS could not be reached', error)
  }
  if (response.status >= 400 && response.status < 500) {
    const code = xmlText(text, 'Code')
    throw refuse('token_invalid_signature', `STS refused the signed request (HTTP ${response.status}${code ? `, ${code.slice(0, 64)}` : ''})`)
  }
  if (response.status !== 200) throw refuse('issuer_unavailable', `STS answered HTTP ${response.status}`)
  const arn = xmlText(text, 'Arn')
  const account = xmlText(text, 'Account')
  const userId = xmlText(text, 'UserId')
  if (arn === null || account === null || userId === null) throw refuse('issuer_unavailable', 'STS answered without Arn, Account and UserId')
  return { arn, roleArn: roleArnOf(arn), account, userId }
}
