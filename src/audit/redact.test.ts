import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { REDACTED, scrubAuditData } from './redact.ts'

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl'

describe('audit data redaction', () => {
  it('keeps facts about tokens: when they were cut off, how many, which ids', () => {
    const data = { tokensRevokedBefore: '2026-11-30T05:00:00.000Z', tokensRevoked: 3, tokenId: 'tok-1', sessionsRevoked: 2, tokenPrefix: 'scim_ab12' }
    assert.deepEqual(scrubAuditData(data), data)
  })

  it('redacts secret fields by name, at any depth and in any spelling', () => {
    const scrubbed = scrubAuditData({
      token: 'opaque-1', access_token: 'a', refreshToken: 'r', 'id-token': 'i', password: 'p', client_secret: 'c', secret: 's',
      Authorization: 'Basic dXNlcjpwdw==', cookie: 'sid=1', apiKey: 'k', scimToken: 'st', privateKey: 'pk',
      proxyAuthorization: 'Basic x', sessionCookie: 'c', nested: [{ logout_token: 'lt', user: 'alice' }],
    })
    assert.deepEqual(scrubbed, {
      token: REDACTED, access_token: REDACTED, refreshToken: REDACTED, 'id-token': REDACTED, password: REDACTED, client_secret: REDACTED,
      secret: REDACTED, Authorization: REDACTED, cookie: REDACTED, apiKey: REDACTED, scimToken: REDACTED, privateKey: REDACTED,
      proxyAuthorization: REDACTED, sessionCookie: REDACTED, nested: [{ logout_token: REDACTED, user: 'alice' }],
    })
  })

  it('redacts credential-shaped values under any key: a JWT anywhere, a bearer credential', () => {
    const scrubbed = scrubAuditData({ tokensRevokedBefore: JWT, note: `see ${JWT}`, header: 'Bearer abc.def', list: [JWT], reason: 'rotate the bearer tokens' })
    assert.deepEqual(scrubbed, { tokensRevokedBefore: REDACTED, note: REDACTED, header: REDACTED, list: [REDACTED], reason: 'rotate the bearer tokens' })
  })
})
