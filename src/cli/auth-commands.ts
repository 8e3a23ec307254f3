import type { Command } from 'commander'
import type { Me } from '../../contract/api-types.ts'
import { ConductorError } from '../core/index.ts'
import { createApiClient } from './api-client.ts'
import { outputOf, requireToken, withOutput, type CliContext } from './context.ts'
import { formatJson, formatTime, renderFields } from './format.ts'
import { browserLogin, deviceLogin, fetchAuthConfig, openInBrowser, revokeLogin, type DevicePrompt } from './login.ts'


/** `conductor login`, `logout` and `whoami`. */
export function registerAuthCommands(program: Command, ctx: CliContext): void {
  program.command('login')
    .description('Sign in with the server\'s identity provider (device authorization grant; --browser for a local browser) and store the tokens')
    .option('--browser', 'sign in through a browser on this machine (authorization code + PKCE, loopback redirect)')
    .option('--no-open', 'with --browser: print the URL instead of opening a browser')
    .action(async (opts: { browser?: boolean; open: boolean }) => {
      const server = ctx.server()
      const config = await fetchAuthConfig(server)
      const result = opts.browser
        ? await browserLogin({
          server, config,
          open: (url) => {
            ctx.err(`Opening your browser to sign in. If it does not open, visit:\n\n  ${url}\n`)
            if (opts.open) openInBrowser(url)
          },
        })
        : await deviceLogin({ server, config, prompt: (prompt) => showDevicePrompt(ctx, prompt) })
      // Only keep tokens Conductor accepts (right audience, known issuer).
      const me = await createApiClient({ baseUrl: server, token: result.accessToken }).request<Me>('GET', '/api/v1/me')
      const now = new Date()
      ctx.store().save({ ...result, username: me.username ?? me.id, savedAt: now.toISOString() })
      ctx.out(`Signed in to ${server} as ${describeMe(me)}.`)
      if (!result.refreshToken) ctx.err('note: the identity provider issued no refresh token; sign in again when the token expires')
    })

  program.command('logout')
    .description('Forget the stored sign-in for the server and revoke its tokens at the identity provider')
    .action(async () => {
      const server = ctx.server()
      const login = ctx.store().get(server)
      if (!login) { ctx.out(`Not signed in to ${server}.`); return }
      let note = ''
      try {
        const { revoked } = await revokeLogin(login)
        note = revoked ? ' (tokens revoked at the identity provider)' : ' (the identity provider cannot revoke them; the access token runs out on its own)'
      } catch (error) {
        ctx.err(`warning: ${(error as Error).message}; the stored tokens are deleted anyway`)
      }
      ctx.store().remove(server)
      ctx.out(`Signed out of ${server}${note}.`)
    })

  withOutput(program.command('whoami'))
    .description('Who Conductor says you are, with your groups, and where the token comes from')
    .action(async (opts: { output?: string }) => {
      const server = ctx.server()
      const client = await ctx.client()
      requireToken(client.tokenSource, server)
      const me = await client.request<Me>('GET', '/api/v1/me')
      const login = client.tokenSource === 'login' ? ctx.store().get(server) : undefined
      if (outputOf(opts) === 'json') {
        ctx.out(formatJson({ ...me, server, tokenSource: client.tokenSource, expiresAt: login?.expiresAt ?? null }))
        return
      }
      const source = { flag: '--token', env: '$CONDUCTOR_TOKEN', login: '`conductor login`', none: 'none' }[client.tokenSource]
      ctx.out(describeMe(me))
      for (const line of renderFields([
        ['groups', me.groups.join(', ') || '(none)'],
        ['issuer', me.issuer],
        ['server', server],
        ['token', `from ${source}${login?.expiresAt ? `, expires ${formatTime(login.expiresAt)} UTC` : ''}`],
      ], ctx.width())) ctx.out(line)
    })
}

function describeMe(me: Me): string {
  const name = me.username ?? me.id
  const extra = [me.displayName && me.displayName !== name ? me.displayName : null, me.email].filter(Boolean).join(', ')
  return `${me.type} ${name}${extra ? ` (${extra})` : ''}`
}

function showDevicePrompt(ctx: CliContext, prompt: DevicePrompt): void {
  const minutes = Math.max(1, Math.round(prompt.expiresInSeconds / 60))
  if (!prompt.userCode || !prompt.verificationUri) throw new ConductorError('login_failed', 'the identity provider sent an incomplete device authorization')
  ctx.err('To sign in, open this page in a browser (on any device):')
  ctx.err('')
  ctx.err(`  ${prompt.verificationUriComplete ?? prompt.verificationUri}`)
  ctx.err('')
  ctx.err(prompt.verificationUriComplete
    ? `and check that it shows the code ${prompt.userCode}. (Or open ${prompt.verificationUri} and enter the code.)`
    : `and enter the code ${prompt.userCode}.`)
  ctx.err(`Waiting for you to sign in… (the code expires in ${minutes} minute${minutes === 1 ? '' : 's'})`)
}
