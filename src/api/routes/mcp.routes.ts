import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { FastifyRequest, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ConductorError } from '../../core/index.ts'
import type { Authenticator } from '../authenticate.ts'
import { errors } from '../responses.ts'

/** The MCP server for one HTTP call, as `src/mcp` makes it (the composition root passes the factory in). */
export interface McpServerHandle {
  connect(transport: Transport): Promise<void>
  close(): Promise<void>
}

/** What the `/mcp` routes need. */
export interface McpRoutesDeps {
  authenticator: Pick<Authenticator, 'authenticate'>
  /** Conductor's public URL: the protected resource is `<publicUrl>/mcp`. */
  publicUrl: string
  /** Where clients get tokens for it (RFC 9728 `authorization_servers`): Conductor (token exchange) and the sign-in IdP. */
  authorizationServers: string[]
  /** The scopes a Conductor token may be limited to: the actions. */
  scopes: readonly string[]
  /** Runs a request through the whole server in-process (`app.inject`): the tools' REST calls take no network hop. */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>
  /** Creates the MCP server for one call with the caller's bearer token and a `fetch` over {@link inject}. */
  createServer(api: { baseUrl: string; token: () => string; fetch: typeof fetch }): McpServerHandle
}

const resourceMetadata = z.strictObject({
  resource: z.string(),
  resource_name: z.string(),
  authorization_servers: z.array(z.string()),
  bearer_methods_supported: z.array(z.string()),
  scopes_supported: z.array(z.string()),
}).meta({ id: 'ProtectedResourceMetadata', description: 'OAuth 2.0 Protected Resource Metadata (RFC 9728) of Conductor\'s MCP endpoint.' })

/** A `fetch` that answers through `inject`: the same routes, hooks, authentication and audit as over the network. */
export function injectFetch(inject: McpRoutesDeps['inject']): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers = Object.fromEntries(new Headers(init?.headers).entries())
    const answer = await inject({
      method: (init?.method ?? 'GET') as InjectOptions['method'], url: url.pathname + url.search, headers,
      ...(typeof init?.body === 'string' ? { payload: init.body } : {}),
    })
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined) for (const v of [value].flat()) responseHeaders.append(name, String(v))
    }
    const empty = answer.statusCode === 204 || answer.statusCode === 304
    return new Response(empty ? null : answer.rawPayload, { status: answer.statusCode, headers: responseHeaders })
  }
}

/**
 * Conductor's MCP server over streamable HTTP (stateless: a server and transport per request) at `/mcp`, and its
 * OAuth protected-resource metadata. Only `Authorization: Bearer` authenticates (never the console's cookie); without
 * a usable token the answer is 401 with `WWW-Authenticate: Bearer resource_metadata=…`, so an MCP client can find
 * where to get one. A request with an `Origin` other than Conductor's own is 403 `csrf_invalid` (DNS rebinding).
 */
export function mcpRoutes(deps: McpRoutesDeps): FastifyPluginAsyncZod {
  const base = deps.publicUrl.replace(/\/+$/, '')
  const metadataUrl = `${base}/.well-known/oauth-protected-resource/mcp`
  const metadata = {
    resource: `${base}/mcp`,
    resource_name: 'Airflow Conductor MCP server',
    authorization_servers: [...new Set(deps.authorizationServers.map((s) => s.replace(/\/+$/, '')))],
    bearer_methods_supported: ['header'],
    scopes_supported: [...deps.scopes],
  }
  const fetchInProcess = injectFetch(deps.inject)

  const publicOrigin = new URL(base).origin

  /** The bearer token of an authenticated request; throws `token_*` (401) otherwise, `csrf_invalid` (403) for a page of another origin. */
  async function bearerOf(request: FastifyRequest): Promise<string> {
    // The MCP transport spec's guard against DNS rebinding: a browser page's Origin must be Conductor's own.
    const origin = request.headers.origin
    if (origin !== undefined && origin !== publicOrigin) {
      throw new ConductorError('csrf_invalid', `an MCP request from a web page of another origin (${origin.slice(0, 200)}) is refused; MCP clients outside a browser send no Origin`)
    }
    const header = request.headers.authorization
    // The console's session cookie never authenticates here: a page of another site could send it along.
    if (!header && request.headers.cookie) throw new ConductorError('token_missing', 'an Authorization: Bearer token is required (an API token, an exchanged token, or an access token of the identity provider)')
    await deps.authenticator.authenticate(request)
    return /^Bearer[ ]+(\S+)\s*$/i.exec(header!)![1]!
  }

  return async (app) => {
    app.addHook('onSend', async (request, reply) => {
      if (reply.statusCode !== 401) return
      const error = request.headers.authorization ? ', error="invalid_token"' : ''
      reply.header('www-authenticate', `Bearer resource_metadata="${metadataUrl}"${error}`)
    })

    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      app.get(path, { schema: { tags: ['mcp'], summary: 'OAuth protected-resource metadata of the MCP endpoint (RFC 9728)', security: [], response: { 200: resourceMetadata, ...errors(500) } } }, async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300')
        return metadata
      })
    }

    app.post('/mcp', { schema: { hide: true } }, async (request, reply) => {
      const token = await bearerOf(request)
      const server = deps.createServer({ baseUrl: base, token: () => token, fetch: fetchInProcess })
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
      reply.hijack()
      reply.raw.on('close', () => {
        void transport.close()
        void server.close()
      })
      await server.connect(transport as Transport)
      await transport.handleRequest(request.raw, reply.raw, request.body)
    })

    // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE).
    for (const method of ['GET', 'DELETE'] as const) {
      app.route({
        method, url: '/mcp', schema: { hide: true },
        handler: async (request, reply) => {
          await bearerOf(request)
          return reply.code(405).header('allow', 'POST').send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; POST each message.' }, id: null })
        },
      })
    }
  }
}
