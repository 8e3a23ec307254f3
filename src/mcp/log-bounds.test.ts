import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { boundLog, decodeLogCursor, encodeLogCursor } from './log-bounds.ts'

/** Reads `text` the way an agent does, `max` bytes at a time; answers the pages. */
function readAll(text: string, max: number): string[] {
  const pages: string[] = []
  let offset: number | null = 0
  while (offset !== null && pages.length < 10_000) {
    const page = boundLog(text, offset, max)
    assert.ok(Buffer.byteLength(page.text) <= max, 'within the bound')
    pages.push(page.text)
    offset = page.nextOffset
  }
  return pages
}

test('a log within the bound comes whole with nothing left; a longer one in pages cut after whole lines that add up to the log', () => {
  assert.deepEqual(boundLog('one\ntwo', 0, 1024), { text: 'one\ntwo', nextOffset: null })
  const text = Array.from({ length: 100 }, (_, i) => `line ${i}: ${'x'.repeat(i % 17)}`).join('\n')
  const pages = readAll(text, 200)
  assert.equal(pages.join(''), text)
  assert.ok(pages.slice(0, -1).every((p) => p.endsWith('\n')), 'every page but the last ends at a line end')
})

test('a line longer than the bound is cut at a character boundary, never inside a multi-byte character', () => {
  const text = `${'é'.repeat(100)}✓${'漢'.repeat(50)}`
  const pages = readAll(text, 33)
  assert.equal(pages.join(''), text)
  assert.ok(pages.every((p) => !p.includes('\uFFFD')), 'no broken characters')
})

test('an offset past the end answers nothing left', () => {
  assert.deepEqual(boundLog('abc', 10, 1024), { text: '', nextOffset: null })
})

test('a continuation round-trips, and one this server did not make is invalid_input on the continuation field', () => {
  const cursor = { token: 'abc', offset: 4096, tryNumber: 2 }
  assert.deepEqual(decodeLogCursor(encodeLogCursor(cursor)), cursor)
  assert.deepEqual(decodeLogCursor(encodeLogCursor({ token: null, offset: 0, tryNumber: 1 })), { token: null, offset: 0, tryNumber: 1 })
  for (const bad of ['', 'not base64 json', Buffer.from('[1,2,3]').toString('base64url'), Buffer.from('[null,-1,1]').toString('base64url'), Buffer.from('[null,0,0]').toString('base64url')]) {
    assert.throws(() => decodeLogCursor(bad), (error) => isConductorError(error) && error.code === 'invalid_input' && error.details?.field === 'continuation', bad)
  }
})
