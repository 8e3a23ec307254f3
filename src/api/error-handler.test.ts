import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ERROR_CODES, ERRORS } from '../core/index.ts'
import { STATUS_BY_CODE, statusOf } from './error-handler.ts'

const root = new URL('../..', import.meta.url).pathname
const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8')
/** The rows of the code table in docs/errors.md: code, kind, status. */
const docRows = [...doc.matchAll(/^\| `([a-z_]+)` \| ([a-z_]+) \| (\d{3}) \|/gm)].map(([, code, kind, status]) => ({ code: code!, kind: kind!, status: Number(status) }))

test('every error code has an HTTP status and a line in docs/errors.md with its kind and that status', () => {
  for (const code of ERROR_CODES) {
    const status = statusOf(code)
    assert.ok(status >= 400 && status < 600, `${code} has a status`)
    assert.equal(STATUS_BY_CODE[code], status)
    const row = docRows.find((r) => r.code === code)
    assert.ok(row, `${code} has a line in docs/errors.md`)
    assert.deepEqual(row, { code, kind: ERRORS[code], status }, `${code} is documented with its kind and status`)
  }
})

test('every line of docs/errors.md names a code of the registry, once', () => {
  assert.ok(docRows.length > 0)
  for (const row of docRows) assert.ok((ERROR_CODES as readonly string[]).includes(row.code), `docs/errors.md documents "${row.code}", which the registry does not have`)
  assert.equal(new Set(docRows.map((r) => r.code)).size, docRows.length, 'no code is documented twice')
})

test('every error code is raised somewhere in src/, so none is documented but never answered', () => {
  // The registry and the faces' mappings name every code; a code counts as raised when other source names it.
  const mappings = new Set(['core/errors.ts', 'api/error-handler.ts', 'api/responses.ts', 'cli/api-client.ts'])
  const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.test.ts') && !mappings.has(file))
    .map((file) => readFileSync(join(root, 'src', file), 'utf8'))
  const unused = ERROR_CODES.filter((code) => !sources.some((text) => text.includes(`'${code}'`)))
  assert.deepEqual(unused, [], 'codes no source raises: raise them where they are true, or remove them from the registry and docs/errors.md')
})

test('client errors are 4xx and only identity problems are 401', () => {
  for (const code of ERROR_CODES) {
    if (statusOf(code) === 401) assert.match(code, /^(token_|session_|principal_unknown)/, code)
  }
  assert.equal(statusOf('policy_denied'), 403)
  assert.equal(statusOf('orchestrator_unavailable'), 503)
  assert.equal(statusOf('dispatch_failed'), 502)
})
