/** The REST API client the CLI and the MCP server share: every call they make goes through Conductor's HTTP API. */
export { ApiError, createApiClient, retryDelayMs, UNREACHABLE } from './api-client.ts'
export type { ApiClient, RequestOptions } from './api-client.ts'
