import { InvalidArgumentError, Option, type Command } from 'commander'
import { ConductorError } from '../core/index.ts'
import { ApiError, createApiClient, type ApiClient, type RequestOptions } from './api-client.ts'
import { configDir, createCredentialStore, normalizeServerUrl, resolveToken, type CredentialStore, type TokenSource } from './credentials.ts'
import { DEFAULT_WIDTH, OUTPUT_FORMATS, type OutputFormat } from './format.ts'
import { refreshLogin } from './login.ts'

/** Conductor's URL when neither `--server`, `$CONDUCTOR_URL` nor a stored login names one. */
export const DEFAULT_SERVER = 'http://127.0.0.1:7700'

/** A stream the CLI writes to: stdout or stderr, or a stand-in in tests. */
export interface CliStream {
  write(text: string): void
  isTTY?: boolean
  columns?: number
}

/** What every command needs: the environment, output streams, the server, the credential store and an API client. */
export interface CliContext {
  env: NodeJS.ProcessEnv
  /** Prints one line to stdout. */
  out(line: string): void
  /** Prints one line to stderr. */
  err(line: string): void
  /** stderr, for progress and prompts. */
  stderr: CliStream
  /** The width tables are fitted to: the terminal's width on a TTY, else 80. */
  width(): number
  /** `--server`, else `$CONDUCTOR_URL`, else the server of the last `conductor login`, else {@link DEFAULT_SERVER}. */
  server(): string
  store(): CredentialStore
  /** The bearer token for `server` (default {@link server}) from `--token`, `$CONDUCTOR_TOKEN` or the stored login (refreshed when due). */
  token(server?: string): Promise<{ token: string | undefined; source: TokenSource }>
  /** An API client for {@link server} with the token from `--token`, `$CONDUCTOR_TOKEN` or the stored login (refreshed when due). */
  client(): Promise<ApiClient & { tokenSource: TokenSource }>
}

/** Builds the context for `program`'s global options. */
export function createCliContext(program: Command, env: NodeJS.ProcessEnv, streams: { stdout: CliStream; stderr: CliStream }): CliContext {
  let store: CredentialStore | undefined
  const globals = () => program.opts<{ server?: string; token?: string }>()
  const context: CliContext = {
    env,
    out: (line) => streams.stdout.write(`${line}\n`),
    err: (line) => streams.stderr.write(`${line}\n`),
    stderr: streams.stderr,
    width: () => (streams.stdout.isTTY && streams.stdout.columns ? Math.max(40, streams.stdout.columns) : DEFAULT_WIDTH),
    store: () => (store ??= createCredentialStore({ dir: configDir(env) })),
    server() {
      const named = globals().server ?? (env.CONDUCTOR_URL || undefined)
      return normalizeServerUrl(named ?? context.store().currentServer() ?? DEFAULT_SERVER)
    },
    async token(server = context.server()) {
      const { token, source } = await resolveToken({ flag: globals().token, envToken: env.CONDUCTOR_TOKEN, store: context.store(), server, refresh: (login) => refreshLogin(login) })
      return { token, source }
    },
    async client() {
      const server = context.server()
      const { token, source } = await context.token(server)
      const api = createApiClient({ baseUrl: server, token })
      return {
        tokenSource: source,
        async request<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
          try {
            return await api.request<T>(method, path, body, options)
          } catch (error) {
            if (error instanceof ApiError && error.status === 401) {
              const hint = source === 'none' ? 'sign in with `conductor login`, or pass --token'
                : source === 'login' ? 'run `conductor login` again' : 'check --token / $CONDUCTOR_TOKEN'
              throw new ApiError(error.status, error.code, `${error.message} (${hint})`, error.details)
            }
            throw error
          }
        },
      }
    },
  }
  return context
}

/** Adds `-o, --output table|json` to a listing command. */
export function withOutput(command: Command): Command {
  return command.addOption(new Option('-o, --output <format>', 'table, or json (the API\'s answer)').choices(OUTPUT_FORMATS as string[]).default('table'))
}

/** The output format chosen with {@link withOutput}. */
export function outputOf(opts: { output?: string }): OutputFormat {
  return opts.output === 'json' ? 'json' : 'table'
}

/** Parses `ENV/DAG` (for commander arguments). */
export function parseDagTarget(value: string): { environment: string; dag: string } {
  const slash = value.indexOf('/')
  if (slash <= 0 || slash === value.length - 1 || value.indexOf('/', slash + 1) !== -1) throw new InvalidArgumentError('expected ENV/DAG, e.g. local/etl_daily')
  return { environment: value.slice(0, slash), dag: value.slice(slash + 1) }
}

/** A positive integer option value (for commander). */
export function parsePositiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number')
  return n
}

/** The API path of a DAG: `/api/v1/environments/{env}/dags/{dag}`, each segment escaped. */
export function dagPath(target: { environment: string; dag: string }): string {
  return `/api/v1/environments/${encodeURIComponent(target.environment)}/dags/${encodeURIComponent(target.dag)}`
}

/** `path?key=value&…` for the defined values. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value))
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

/** Throws `token_missing` unless a token is at hand. */
export function requireToken(source: TokenSource, server: string): void {
  if (source === 'none') throw new ConductorError('token_missing', `not signed in to ${server}; run \`conductor login\`, or pass --token`)
}
