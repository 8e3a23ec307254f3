import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { CONTRACT_FILES, GENERATE_COMMAND, generateContract } from '../../scripts/gen-api-types.ts'

test('the committed contract (contract/openapi.json, contract/api-types.ts) is what the routes declare', async () => {
  const fresh = await generateContract()
  const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
  assert.ok(read(CONTRACT_FILES.openapi) === fresh.openapi, `${CONTRACT_FILES.openapi} is stale: run \`${GENERATE_COMMAND}\` and commit the result`)
  assert.ok(read(CONTRACT_FILES.types) === fresh.types, `${CONTRACT_FILES.types} is stale: run \`${GENERATE_COMMAND}\` and commit the result`)
})
