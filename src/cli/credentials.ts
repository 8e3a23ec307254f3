import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { ConductorError } from '../core/index.ts'

/** What `conductor login` keeps for one Conductor server. */
export interface StoredLogin {
  /** Conductor's base URL (normalized by {@link normalizeServerUrl}). */
  server: string
  /** The sign-in issuer that issued the tokens. */
  issuer: string
  /** The OAuth client the CLI signed in as (for refresh and revocation). */
  clientId: string
  /** The RFC 8707 resource indicator the tokens were requested for, if any. */
  resource: string | null
  scopes: string[]
  accessToken: string
  refreshToken: string | null
  idToken: string | null
  /** When the access token expires (ISO 8601), or null when the issuer did not say. */
  expiresAt: string | null
  /** The username Conductor saw at sign-in, for display. */
  username: string | null
  /** When these tokens were stored (ISO 8601). */
  savedAt: string
}

/** The stored logins of one user: one per server, and the server used when none is named. */
interface CredentialsFile {
  version: 1
  current: string | null
  logins: Record<string, StoredLogin>
}

/** The file name inside the config folder. */
export const CREDENTIALS_FILE = 'credentials.json'

/**
 * The user's config folder for `conductor`: `$CONDUCTOR_CONFIG_DIR`, else `$XDG_CONFIG_HOME/conductor`,
 * else `~/.config/conductor`. `env` is the process environment.
 */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.CONDUCTOR_CONFIG_DIR) return env.CONDUCTOR_CONFIG_DIR
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'conductor')
  return join(env.HOME || homedir(), '.config', 'conductor')
}

/** A server URL in the one form logins are keyed by: no trailing slash, no query or fragment. */
export function normalizeServerUrl(server: string): string {
  const url = URL.parse(server)
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConductorError('invalid_input', `not an http(s) URL: ${server}`, { details: { server } })
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** Where `conductor` keeps tokens: a JSON file readable only by the user (0600) in a folder only they may enter (0700). */
export interface CredentialStore {
  /** The credentials file's path. */
  readonly file: string
  /** The stored login for `server`, if any. */
  get(server: string): StoredLogin | undefined
  /** The server of the most recent login, used when no server is named. */
  currentServer(): string | undefined
  /** Stores (or replaces) the login for `login.server` and makes it the current one. */
  save(login: StoredLogin): void
  /** Replaces the tokens of an existing login (after a refresh) without changing the current server. */
  update(login: StoredLogin): void
  /** Forgets the login for `server`; true when there was one. */
  remove(server: string): boolean
}

/** Opens the credential store in `dir` (created 0700 on first save). Reading a missing file gives no logins. */
export function createCredentialStore(options: { dir: string }): CredentialStore {
  const file = join(options.dir, CREDENTIALS_FILE)

  const read = (): CredentialsFile => {
    let text: string
    try {
      const stat = statSync(file)
      // A file others could read was not written by us; tighten it before reading tokens from it.
      if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) chmodSync(file, 0o600)
      text = readFileSync(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, current: null, logins: {} }
      throw new ConductorError('internal', `cannot read ${file}: ${(error as Error).message}`, { cause: error })
    }
    try {
      const parsed = JSON.parse(text) as Partial<CredentialsFile>
      if (parsed.version !== 1 || typeof parsed.logins !== 'object' || parsed.logins === null) throw new Error('unknown format')
      return { version: 1, current: parsed.current ?? null, logins: parsed.logins }
    } catch (cause) {
      throw new ConductorError('invalid_input', `${file} is not a conductor credentials file; delete it and run \`conductor login\``, { cause })
    }
  }

  const write = (content: CredentialsFile) => {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 })
    if (process.platform !== 'win32') chmodSync(options.dir, 0o700)
    const temp = `${file}.${process.pid}.tmp`
    try {
      writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'w' })
      if (process.platform !== 'win32') chmodSync(temp, 0o600)
      renameSync(temp, file)
    } catch (error) {
      rmSync(temp, { force: true })
      throw new ConductorError('internal', `cannot write ${file}: ${(error as Error).message}`, { cause: error })
    }
  }

  return {
    file,
    get(server) {
      return read().logins[normalizeServerUrl(server)]
    },
    currentServer() {
      const content = read()
      return content.current !== null && content.logins[content.current] ? content.current : undefined
    },
    save(login) {
      const content = read()
      const server = normalizeServerUrl(login.server)
      content.logins[server] = { ...login, server }
      content.current = server
      write(content)
    },
    update(login) {
      const content = read()
      const server = normalizeServerUrl(login.server)
      content.logins[server] = { ...login, server }
      write(content)
    },
    remove(server) {
      const content = read()
      const key = normalizeServerUrl(server)
      if (!content.logins[key]) return false
      delete content.logins[key]
      if (content.current === key) content.current = Object.keys(content.logins)[0] ?? null
      if (Object.keys(content.logins).length === 0) rmSync(file, { force: true })
      else write(content)
      return true
    },
  }
}

/** Where the token for a call came from. */
export type TokenSource = 'flag' | 'env' | 'login' | 'none'

/** Options of {@link resolveToken}. */
export interface ResolveTokenOptions {
  /** `--token`. */
  flag?: string | undefined
  /** `$CONDUCTOR_TOKEN`. */
  envToken?: string | undefined
  store: CredentialStore
  server: string
  /** Uses the refresh token of a stored login and returns the renewed login (see `refreshLogin` in login.ts). */
  refresh: (login: StoredLogin) => Promise<StoredLogin>
  now?: () => Date
  /** Refresh this many seconds before expiry (default 60). */
  earlySeconds?: number
}

/**
 * The bearer token for a call to `server`: `--token`, then `$CONDUCTOR_TOKEN`, then the stored login.
 * A stored access token that expires within `earlySeconds` is renewed with its refresh token first and
 * the renewed tokens are stored. Throws `session_expired` when it has expired and cannot be renewed
 * (no refresh token, or the issuer refused it), `issuer_unavailable` when the issuer cannot be reached.
 */
export async function resolveToken(options: ResolveTokenOptions): Promise<{ token: string | undefined; source: TokenSource; login?: StoredLogin }> {
  if (options.flag) return { token: options.flag, source: 'flag' }
  if (options.envToken) return { token: options.envToken, source: 'env' }
  const login = options.store.get(options.server)
  if (!login) return { token: undefined, source: 'none' }
  const now = (options.now ?? (() => new Date()))()
  const early = (options.earlySeconds ?? 60) * 1000
  const fresh = (l: StoredLogin) => l.expiresAt === null || new Date(l.expiresAt).getTime() - early > now.getTime()
  if (fresh(login)) return { token: login.accessToken, source: 'login', login }
  if (!login.refreshToken) {
    throw new ConductorError('session_expired', `your sign-in to ${login.server} has expired; run \`conductor login\``, { details: { server: login.server } })
  }
  try {
    const renewed = await options.refresh(login)
    options.store.update(renewed)
    return { token: renewed.accessToken, source: 'login', login: renewed }
  } catch (error) {
    // Another conductor process may have renewed (and rotated) the refresh token meanwhile.
    const latest = options.store.get(options.server)
    if (latest && latest.accessToken !== login.accessToken && fresh(latest)) return { token: latest.accessToken, source: 'login', login: latest }
    throw error
  }
}
