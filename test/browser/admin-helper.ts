// Plumbing of the admin UI browser tests: a listening server, Debian's Chromium through
// playwright-core, sign-in, screenshots, and a check that the page raised no CSP or script error.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { chromium, type Page } from 'playwright-core'
import type { Test } from 'tap'
import { PROJECT_ROOT } from '../../lib/project-root.js'
import { ADMIN_DIST } from '../../routes/admin-ui.js'
import { build } from '../helper.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const ARTIFACTS = path.join(PROJECT_ROOT, 'test', 'artifacts')
/** Generous: the suite runs two files at once on two shared cores. */
export const WAIT = { timeout: 30_000 }

export interface AdminSession {
  app: FastifyInstance
  base: string
  page: Page
  /** CSP violations and uncaught page errors seen so far. */
  problems: string[]
}

/**
 * Null (with the test skipped or failed as appropriate) when the browser or the built UI is
 * missing; otherwise a server listening on a free port and a fresh browser page.
 */
export async function openAdmin (t: Test): Promise<AdminSession | null> {
  if (!existsSync(CHROMIUM)) {
    // CI installs chromium in .ci/run, so a missing browser there is a failure, not a skip.
    if (process.env.CI === 'true') t.fail(`${CHROMIUM} is missing: install Debian's chromium package`)
    else t.pass('browser test', { skip: `${CHROMIUM} is missing (apt-get install -y chromium); skipped locally` })
    return null
  }
  if (!existsSync(path.join(ADMIN_DIST, 'index.html'))) {
    t.fail('admin/dist is missing: run `npm run build:admin` (npm install and npm test do it)')
    return null
  }
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const profile = await mkdtemp(path.join(tmpdir(), 'rocket-chromium-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1400, height: 900 } })
  context.setDefaultTimeout(WAIT.timeout)
  t.teardown(async () => {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  })
  const page = context.pages()[0] ?? await context.newPage()
  const problems: string[] = []
  page.on('console', (msg) => { if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text()) })
  page.on('pageerror', (err) => problems.push(err.message))
  return { app, base: `http://127.0.0.1:${port}/admin/`, page, problems }
}

/** Signs in through the login form; `app` switches to the app-user tab. */
export async function signIn (page: Page, opts: { email: string, password: string, app?: string }): Promise<void> {
  if (opts.app !== undefined) {
    await page.getByRole('tab', { name: 'App user' }).click()
    await page.fill('input[name=app]', opts.app)
  }
  await page.fill('input[name=email]', opts.email)
  await page.fill('input[name=password]', opts.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

export async function screenshot (page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, name) })
}

/** Waits for a success toast with the given text. */
/** Per page, the success toasts an `expectToast` already matched (`data-toast-id`). */
const seenToasts = new WeakMap<Page, Set<string>>()

/**
 * Waits for a success toast with `text` that no earlier `expectToast` of this page matched: a
 * second save's "… saved" must not be satisfied by the first one's, still shown for 4 s.
 */
export async function expectToast (page: Page, text: string | RegExp): Promise<void> {
  const seen = seenToasts.get(page) ?? new Set<string>()
  seenToasts.set(page, seen)
  const fresh = page.getByTestId('toast-success').filter({ hasText: text })
    .and(page.locator([...seen].map((id) => `:not([data-toast-id="${id}"])`).join('') || '*'))
    .first()
  await fresh.waitFor(WAIT)
  const id = await fresh.getAttribute('data-toast-id')
  if (id !== null) seen.add(id)
}
