/**
 * Shared by the browser tests and `scripts/screenshots.ts`: Conductor listening on a real port with the
 * built console, the development issuer, a real Airflow, and Debian's Chromium driven by playwright-core.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { useAirflow, type AirflowHandle } from './airflow.ts'
import { freePort, startTestApp } from './app.ts'
import { ensureConsoleBuilt } from '../scripts/build-web.ts'



/** Where the tests expect Debian's Chromium (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Conductor serving the console on a real port. */
export interface ConsoleApp {
  app: Awaited<ReturnType<typeof startTestApp>>
  /** The console's URL, e.g. `http://127.0.0.1:41234` (also Conductor's `server.publicUrl`). */
  baseUrl: string
  close(): Promise<void>
}

/**
 * Starts Conductor with the project's policies (or `policyFolder`) and one environment `local` on the given
 * Airflow, syncs the catalog once (an Airflow not yet up just isn't synced), and listens on a free port whose URL is
 * the public URL (so the issuer's redirect back to `/auth/callback` lands here). `extraConfig` adds top-level config
 * sections (e.g. `lineage`); `airflow` may be a stand-in that only has a URL and a login, or one not started yet.
 */
export async function startConsoleApp(
  airflow: Pick<AirflowHandle, 'url' | 'username' | 'password'>,
  options: { policyFolder?: string; identity?: Record<string, unknown>; extraConfig?: Record<string, unknown> } = {},
): Promise<ConsoleApp> {
  await ensureConsoleBuilt()
  const dir = mkdtempSync(join(tmpdir(), 'conductor-browser-'))
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const app = await startTestApp({
    databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
    ...(options.policyFolder ? { policyFolder: options.policyFolder } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    environments: [{ name: 'local', url: airflow.url, username: airflow.username, password: airflow.password }],
    extraConfig: { ...options.extraConfig, server: { host: '127.0.0.1', port, publicUrl: baseUrl } },
  })
  try {
    await app.governance.catalog.syncAll()
    const listening = await app.listen()
    if (new URL(listening).port !== String(port)) throw new Error(`Conductor listens at ${listening}, not ${baseUrl}`)
  } catch (error) {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    app,
    baseUrl,
    close: async () => {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Launches Debian's Chromium headless, with a fresh profile and no background network traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  })
}

/**
 * Signs `username` in the way a person does: the console's sign-in button, then the development issuer's
 * login form (password = username), back to `path` in the console.
 */
export async function signIn(page: Page, baseUrl: string, username: string, path = '/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`)
  await page.getByRole('link', { name: 'Sign in with your identity provider' }).click()
  await page.locator('input[name="login"]').waitFor({ timeout: 30_000 })
  await page.locator('input[name="login"]').fill(username)
  await page.locator('input[name="password"]').fill(username)
  await Promise.all([
    page.waitForURL((url) => url.origin === baseUrl, { timeout: 30_000 }),
    page.locator('button[type="submit"]').click(),
  ])
  await page.getByTestId('whoami').waitFor({ timeout: 30_000 })
}

/** The session cookie of a signed-in browser context, as a Cookie header (for direct API calls as that person). */
export async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === 'conductor_session')
  assert.ok(cookie, 'the browser holds a conductor_session cookie after sign-in')
  return `${cookie.name}=${cookie.value}`
}

/** What {@link useConsoleBrowser} gives a suite once its `before` ran. */
export interface ConsoleBrowser {
  airflow: AirflowHandle
  conductor: ConsoleApp
  browser: Browser
  /** The console's URL. */
  base: string
  /** A fresh browser context (its own cookies) and page, 30 s default timeout; the test closes the context. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>
}

/**
 * For the current suite: a policy folder filled by `writePolicies`, the shared real Airflow (`useAirflow`), Conductor
 * serving the console over it (with more `identity` settings, e.g. `workloadIssuers`, when given), and Chromium; all
 * stopped and removed after the suite.
 */
export function useConsoleBrowser(writePolicies: (folder: string) => void, options: { identity?: Record<string, unknown> } = {}): ConsoleBrowser {
  const suite = {} as ConsoleBrowser
  const policies = mkdtempSync(join(tmpdir(), 'conductor-browser-policies-'))
  before(async () => {
    writePolicies(policies)
    suite.airflow = await useAirflow()
    suite.conductor = await startConsoleApp(suite.airflow, { policyFolder: policies, ...(options.identity ? { identity: options.identity } : {}) })
    suite.base = suite.conductor.baseUrl
    suite.browser = await launchChromium()
  })
  after(async () => {
    await suite.browser?.close()
    await suite.conductor?.close()
    await suite.airflow?.stop()
    rmSync(policies, { recursive: true, force: true })
  })
  suite.newPage = async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    return { context, page }
  }
  return suite
}
