import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { InvalidArgumentError, type Command } from 'commander'
import { createApiClient } from '../client/index.ts'
import { createMcpServer, isToolName, TOOL_NAMES } from '../mcp/index.ts'
import { requireToken, type CliContext } from './context.ts'
import { normalizeServerUrl } from './credentials.ts'

/** Parses `--tools a,b`: known tool names only. */
export function parseToolList(value: string): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean)
  const unknown = names.filter((n) => !isToolName(n))
  if (names.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`unknown tool ${unknown.join(', ') || '(none given)'}; tools are ${TOOL_NAMES.join(', ')}`)
  return names
}

/**
 * `conductor mcp`: Conductor's MCP server on stdin/stdout for a local AI assistant, acting with the CLI's credentials
 * (`$CONDUCTOR_TOKEN`, `--token` or the signed-in login; `--url`/`$CONDUCTOR_URL`). stdout carries only MCP messages;
 * anything else goes to stderr.
 */
export function registerMcpCommand(program: Command, ctx: CliContext, options: { version?: string } = {}): void {
  program.command('mcp')
    .description('Serve Conductor\'s MCP tools on stdin/stdout for a local AI assistant, acting as you (see docs/mcp.md)')
    .option('--url <url>', 'Conductor\'s URL (like --server; default $CONDUCTOR_URL)')
    .option('--tools <list>', `only these tools, comma-separated (it can only narrow what you may use): ${TOOL_NAMES.join(', ')}`, parseToolList)
    .action(async (opts: { url?: string; tools?: string[] }) => {
      const server = opts.url ? normalizeServerUrl(opts.url) : ctx.server()
      const first = await ctx.token(server)
      requireToken(first.source, server)
      // Fail at start, on stderr, when the credentials do not work: the assistant's log then says why.
      const me = await createApiClient({ baseUrl: server, token: first.token }).request<{ type: string; id: string }>('GET', '/api/v1/me')
      const mcp = createMcpServer({
        api: { baseUrl: server, token: async () => (await ctx.token(server)).token },
        narrowTo: opts.tools ?? null,
        ...(options.version ? { version: options.version } : {}),
        onError: (error, tool) => ctx.err(`conductor mcp: ${tool} failed: ${error instanceof Error ? error.message : String(error)}`),
      })
      await mcp.connect(new StdioServerTransport())
      ctx.err(`conductor mcp: serving ${server} as ${me.type} ${me.id} on stdio`)
    })
}
