import type { Server } from 'node:http'
import Provider from 'oidc-provider'
import { freePort } from '../db-helper.js'

/** A person the test OpenID provider knows: the login form's "login" value is their account id. */
export interface TestPerson {
  email: string
  email_verified: boolean
}

export interface TestIssuer {
  issuer: string
  clientId: string
  clientSecret: string
  people: Map<string, TestPerson>
  close: () => Promise<void>
}

/**
 * A real OpenID Connect provider (`oidc-provider`) on a free local port, with one confidential
 * client allowed to redirect to `redirectUris`, PKCE required, the dev login and consent forms
 * (any password), and email claims in the ID token.
 */
export async function startTestIssuer (redirectUris: string[]): Promise<TestIssuer> {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const people = new Map<string, TestPerson>()
  const clientId = 'rocket-test'
  const clientSecret = 'rocket-test-secret-0123456789abcdef'
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['oidc-test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, id: string) => {
      const person = people.get(id)
      if (person === undefined) return undefined
      return { accountId: id, claims: async () => ({ sub: id, ...person }) }
    }
  })
  // The provider refuses nothing of ours; its own warnings about development settings are expected.
  provider.on('server_error', (_ctx: unknown, err: Error) => { console.error('oidc-provider', err) })
  const server: Server = provider.listen(port, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => { resolve() }))
  return {
    issuer,
    clientId,
    clientSecret,
    people,
    close: async () => { await new Promise<void>((resolve) => { server.close(() => { resolve() }); server.closeAllConnections() }) }
  }
}

/** A cookie jar and a manual-redirect HTTP client: what a browser does, minus the rendering. */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>()

  private cookiesFor (url: URL): string {
    const jar = this.jar.get(url.host)
    return jar === undefined ? '' : [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private remember (url: URL, res: Response): void {
    const jar = this.jar.get(url.host) ?? new Map<string, string>()
    this.jar.set(url.host, jar)
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a))
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
  }

  /** One request, no redirect followed; cookies of that host sent and stored. */
  async request (href: string, init: { method?: string, form?: Record<string, string> } = {}): Promise<Response> {
    const url = new URL(href)
    const headers: Record<string, string> = { cookie: this.cookiesFor(url) }
    if (init.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded'
    const res = await fetch(url, {
      method: init.method ?? (init.form !== undefined ? 'POST' : 'GET'),
      headers,
      redirect: 'manual',
      ...(init.form !== undefined ? { body: new URLSearchParams(init.form).toString() } : {})
    })
    this.remember(url, res)
    return res
  }

  /** Puts a cookie in the jar by hand (replaying a request as it was first sent). */
  setCookie (host: string, name: string, value: string): void {
    const jar = this.jar.get(host) ?? new Map<string, string>()
    this.jar.set(host, jar)
    jar.set(name, value)
  }
}

/** The first form of a page: where it posts and its hidden fields. */
function formOf (html: string, base: string): { action: string, fields: Record<string, string> } | null {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html)
  if (form === null) return null
  const fields: Record<string, string> = {}
  for (const m of (form[2] as string).matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) fields[m[1] as string] = m[2] as string
  return { action: new URL((form[1] as string).replace(/&amp;/g, '&'), base).href, fields }
}

/**
 * Drives a login from `start` until the browser is sent somewhere outside the provider and
 * Rocket's auth routes (the app's redirect_url), signing in as `login` on the provider's form
 * and consenting. Returns every URL visited and the final Location.
 */
export async function driveLogin (browser: TestBrowser, opts: { start: string, login: string, stopAt: string, stopBeforeCallback?: boolean }): Promise<{ final: string, callback: string | null, visited: string[] }> {
  const visited: string[] = []
  let next: { href: string, form?: Record<string, string> } = { href: opts.start }
  let callback: string | null = null
  for (let step = 0; step < 20; step++) {
    visited.push(next.href)
    if (next.href.includes('/auth/oidc/') && next.href.includes('/callback')) {
      callback = next.href
      if (opts.stopBeforeCallback === true) return { final: next.href, callback, visited }
    }
    const res = await browser.request(next.href, next.form !== undefined ? { form: next.form } : {})
    if (res.status >= 300 && res.status < 400) {
      const location = new URL(res.headers.get('location') ?? '', next.href).href
      await res.arrayBuffer()
      if (location.startsWith(opts.stopAt)) return { final: location, callback, visited }
      next = { href: location }
      continue
    }
    const html = await res.text()
    const form = res.status === 200 ? formOf(html, next.href) : null
    if (form === null) throw new Error(`login stopped at ${next.href}: ${res.status} ${html.slice(0, 300)}`)
    next = { href: form.action, form: form.fields.prompt === 'login' ? { ...form.fields, login: opts.login, password: 'any' } : form.fields }
  }
  throw new Error(`login did not finish: ${visited.join(' → ')}`)
}
