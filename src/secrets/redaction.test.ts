import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { pino } from 'pino'
import { redactionPaths, redactSecrets } from './redaction.ts'

describe('redaction', () => {
  it('makes pino hide credentials in headers and the usual secret keys', () => {
    const lines: string[] = []
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done() } })
    const logger = pino({ redact: { paths: [...redactionPaths], censor: '[REDACTED]' } }, stream)
    logger.info({
      req: { headers: { authorization: 'Bearer eyJ.secret.jwt', cookie: 'sid=abc123', 'user-agent': 'curl' } },
      password: 'pw-top', body: { client_secret: 'cs-nested', access_token: 'at-nested', username: 'svc' },
    }, 'calling')
    const out = lines.join('')
    for (const secret of ['eyJ.secret.jwt', 'sid=abc123', 'pw-top', 'cs-nested', 'at-nested']) assert.ok(!out.includes(secret), secret)
    assert.match(out, /"user-agent":"curl"/)
    assert.match(out, /"username":"svc"/)
  })

  it('replaces every occurrence of each secret in text, longest first', () => {
    assert.equal(redactSecrets('token=abcd1234 again abcd1234, pw abcd', ['abcd', 'abcd1234', '', null]),
      'token=[REDACTED] again [REDACTED], pw [REDACTED]')
    assert.equal(redactSecrets('a b c', ['a']), 'a b c')
  })
})
