import assert from 'node:assert/strict'

/** A tiny browser: follows redirects by hand, keeps cookies per origin. */
export function browser() {
  const jar = new Map<string, Map<string, string>>()
  const cookieHeader = (url: URL) => [...(jar.get(url.origin) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ')
  const store = (url: URL, res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const [name, ...rest] = pair!.split('=')
      const cookies = jar.get(url.origin) ?? new Map<string, string>()
      const value = rest.join('=')
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') cookies.delete(name!.trim())
      else cookies.set(name!.trim(), value)
      jar.set(url.origin, cookies)
    }
  }
  async function go(input: string, init: RequestInit = {}): Promise<{ res: Response; url: URL; body: string }> {
    let url = new URL(input)
    let request: RequestInit = init
    for (let hops = 0; hops < 15; hops++) {
      const res = await fetch(url, { ...request, redirect: 'manual', headers: { ...(request.headers as Record<string, string>), cookie: cookieHeader(url) } })
      store(url, res)
      const location = res.headers.get('location')
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url)
        request = {}
        continue
      }
      return { res, url, body: await res.text() }
    }
    throw new Error('too many redirects')
  }
  return { go, jar }
}

/** Signs in through the development issuer's real login page, as a person would. */
export async function signIn(b: ReturnType<typeof browser>, base: string, username: string, password = username) {
  const page = await b.go(`${base}/auth/login?returnTo=/dags`)
  const action = /<form[^>]*action="([^"]+)"/.exec(page.body)?.[1]
  assert.ok(action, `a login form at ${page.url}`)
  const form = new URLSearchParams({ prompt: 'login', login: username, password })
  return b.go(new URL(action!, page.url).href, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
}
