/** Conductor's MCP server for AI agents: the tools, the tool-set rules, and the server over any MCP transport. */
export { createMcpServer, toolError, TOOL_HEADER, VIA_HEADER } from './server.ts'
export type { McpApiAccess, McpServerOptions } from './server.ts'
export { isToolName, isWriteTool, READ_TOOLS, TOOL_NAMES, toolSetFor, WRITE_TOOLS } from './tool-set.ts'
export type { ToolCaller, ToolName } from './tool-set.ts'
export { boundLog, DEFAULT_LOG_BYTES, MAX_LOG_BYTES } from './log-bounds.ts'
