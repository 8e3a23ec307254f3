/**
 * `npm run gen:api`: writes the API contract the console and the CLI compile against.
 *   contract/openapi.json   the OpenAPI document of the server, built from the routes' schemas (nothing listens)
 *   contract/api-types.ts   TypeScript types of that document (openapi-typescript), with one alias per named schema
 * Both are committed; a unit test fails when they differ from what the routes declare.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import openapiTS, { astToString } from 'openapi-typescript'
import { buildOpenApiDocument } from '../src/api/index.ts'

const root = new URL('..', import.meta.url)

/** Where the contract files live, relative to the repository root. */
export const CONTRACT_FILES = { openapi: 'contract/openapi.json', types: 'contract/api-types.ts' } as const

/** The command that regenerates the contract. */
export const GENERATE_COMMAND = 'npm run gen:api'

const HEADER = `/*
 * The Conductor REST API's types, generated from contract/openapi.json by openapi-typescript.
 * Do not edit: change the routes' schemas (src/api/responses.ts, src/api/schemas.ts) and run \`${GENERATE_COMMAND}\`.
 */

`

/** The contents of both contract files as the routes declare them now. */
export async function generateContract(): Promise<{ openapi: string; types: string }> {
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }
  const document = await buildOpenApiDocument(version)
  const openapi = `${JSON.stringify(document, null, 2)}\n`
  const ast = await openapiTS(JSON.parse(openapi), { rootTypes: true, rootTypesNoSchemaPrefix: true, silent: true })
  return { openapi, types: HEADER + astToString(ast) }
}

if (import.meta.main) {
  const { openapi, types } = await generateContract()
  writeFileSync(new URL(CONTRACT_FILES.openapi, root), openapi)
  writeFileSync(new URL(CONTRACT_FILES.types, root), types)
  console.log(`wrote ${CONTRACT_FILES.openapi} and ${CONTRACT_FILES.types}`)
}
