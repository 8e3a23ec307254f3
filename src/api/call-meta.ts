import type { FastifyRequest } from 'fastify'
import type { CallMeta } from '../governance/index.ts'

/** The header a caller names its door with; only `mcp` (Conductor's own MCP server) is recorded. */
export const VIA_HEADER = 'x-conductor-via'
/** The header Conductor's MCP server names the tool of a call with. */
export const MCP_TOOL_HEADER = 'x-conductor-mcp-tool'

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/

/**
 * The facts of an HTTP call a governed request records: its request id and, for calls Conductor's MCP server makes
 * for an agent, `via: 'mcp'` and the tool. The headers are labels for the ledger and audit, never a permission:
 * whoever sends them is still the authenticated principal, decided by policy.
 */
export function callMeta(request: FastifyRequest): CallMeta {
  const via = request.headers[VIA_HEADER]
  const tool = request.headers[MCP_TOOL_HEADER]
  if (via !== 'mcp') return { httpRequestId: String(request.id) }
  return { httpRequestId: String(request.id), via: 'mcp', tool: typeof tool === 'string' && TOOL_NAME.test(tool) ? tool : null }
}
