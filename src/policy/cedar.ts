// The CommonJS Node build of cedar-wasm: the ESM build loads only through Node's experimental wasm-module imports.
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'

export { cedar }
export type {
  AuthorizationAnswer, CedarValueJson, DetailedError, EntityJson, EntityUidJson, PolicyJson,
} from '@cedar-policy/cedar-wasm/nodejs'
