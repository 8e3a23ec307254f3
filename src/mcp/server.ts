// The low-level `Server` (not `McpServer`): which tools a caller sees and may call is decided per call from
// `GET /api/v1/me` (an agent's tool list, a deactivated sponsor), which McpServer's fixed registry cannot express.
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { ApiError, createApiClient, type ApiClient } from '../client/index.ts'
import { isConductorError } from '../core/index.ts'
import { TOOLS, type Me, type ToolDefinition } from './tools.ts'
import { isToolName, isWriteTool, toolSetFor } from './tool-set.ts'

/** The header that marks a call to Conductor's API as made by its MCP server. */
export const VIA_HEADER = 'x-conductor-via'
/** The header naming the MCP tool behind a call. */
export const TOOL_HEADER = 'x-conductor-mcp-tool'

/** How Conductor's MCP server reaches Conductor's REST API for its caller. */
export interface McpApiAccess {
  /** Conductor's URL (the HTTP transport's in-process `fetch` only reads the path). */
  baseUrl: string
  /** The caller's bearer token, asked for each call (so a refreshed CLI login is used); undefined when there is none. */
  token: () => Promise<string | undefined> | string | undefined
  /** The `fetch` to use: the network by default; `app.inject()` inside Conductor's server. */
  fetch?: typeof fetch
}

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  api: McpApiAccess
  /** Only these tools, even when the caller may use more (`conductor mcp --tools`); it can never add one. */
  narrowTo?: readonly string[] | null
  version?: string
  /** Told of an unexpected failure (a bug, not a refusal); the agent only sees `internal`. Never given a token. */
  onError?: (error: unknown, tool: string) => void
}

const BY_NAME = new Map(TOOLS.map((t) => [t.name, t]))

/** The JSON Schema of a tool's input, as tools/list shows it. */
function inputSchemaOf(tool: ToolDefinition): Tool['inputSchema'] {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>
  return schema as Tool['inputSchema']
}

/** A tool error result: Conductor's code, message and details (decision reasons, request id, field), never a stack or token. */
export function toolError(code: string, message: string, details?: Record<string, unknown>): CallToolResult {
  const error = { code, message, ...(details && Object.keys(details).length > 0 ? { details } : {}) }
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error }, null, 2) }], structuredContent: { error } }
}

function toolResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value }
}

/** The error result of a failed call: the API's refusal as it came, a local refusal by its code, anything else `internal`. */
function failure(error: unknown, tool: string, onError: McpServerOptions['onError']): CallToolResult {
  if (error instanceof ApiError) {
    // 5xx answers of the API carry no internal detail already; 502/503 say what is unavailable.
    return toolError(error.code, error.message, error.status >= 500 && error.status !== 502 && error.status !== 503 ? undefined : error.details)
  }
  if (isConductorError(error) && error.code !== 'internal') return toolError(error.code, error.message, error.details)
  onError?.(error, tool)
  return toolError('internal', 'internal error in Conductor\'s MCP server')
}

/**
 * Creates Conductor's MCP server for one caller. Every tool call goes through Conductor's REST API with the caller's
 * credentials (so policy, approvals, budgets and audit apply as to any other call), marked with `x-conductor-via: mcp`
 * and `x-conductor-mcp-tool`. tools/list shows the caller's tool set (see `toolSetFor`), asked afresh each time; a call
 * of a tool outside it is the tool error `tool_not_allowed`. Connect it to a transport (stdio, streamable HTTP).
 */
export function createMcpServer(options: McpServerOptions): Server {
  const server = new Server({ name: 'airflow-conductor', title: 'Airflow Conductor', version: options.version ?? '0.1.0' }, {
    capabilities: { tools: {} },
    instructions: 'Airflow Conductor governs Airflow: every call runs as you, decided by policy and recorded. A `pending` answer means a person must approve first: wait, do not retry.',
  })

  const clientFor = async (tool: string | null): Promise<ApiClient> => createApiClient({
    baseUrl: options.api.baseUrl, token: await options.api.token(), ...(options.api.fetch ? { fetch: options.api.fetch } : {}),
    headers: { [VIA_HEADER]: 'mcp', ...(tool ? { [TOOL_HEADER]: tool } : {}) },
  })
  const whoAmI = async (): Promise<Me> => (await clientFor(null)).request<Me>('GET', '/api/v1/me')

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    let me: Me
    try {
      me = await whoAmI()
    } catch (error) {
      // Refused credentials (a disabled agent, a deactivated sponsor) list nothing.
      const code = error instanceof ApiError ? error.code : 'internal'
      throw new McpError(ErrorCode.InvalidRequest, `${code}: ${error instanceof ApiError ? error.message : 'cannot ask Conductor who you are'}`, { code })
    }
    return {
      tools: toolSetFor(me, options.narrowTo).map((name) => {
        const tool = BY_NAME.get(name)!
        return {
          name, title: tool.title, description: tool.description, inputSchema: inputSchemaOf(tool),
          annotations: { title: tool.title, readOnlyHint: !tool.write, destructiveHint: false, idempotentHint: !tool.write, openWorldHint: false },
        }
      }),
    }
  })

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const name = request.params.name
    if (!isToolName(name)) return toolError('tool_not_allowed', `there is no tool ${JSON.stringify(name.slice(0, 100))}; tools/list names yours`)
    try {
      const me = await whoAmI()
      if (!toolSetFor(me, options.narrowTo).includes(name)) {
        return toolError('tool_not_allowed', `${me.type} ${me.id} may not use the tool ${name}${isWriteTool(name) ? ' (a write tool: only agents whose account lists it)' : ''}`, { tool: name })
      }
      const tool = BY_NAME.get(name)!
      const parsed = tool.input.safeParse(request.params.arguments ?? {})
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!
        const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'arguments')
        return toolError('invalid_input', `${field}: ${issue.message}`, { field })
      }
      return toolResult(await tool.run({ api: await clientFor(name), me }, parsed.data as Record<string, unknown>))
    } catch (error) {
      return failure(error, name, options.onError)
    }
  })
  return server
}
