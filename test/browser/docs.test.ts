// End to end: Swagger UI at /api/<app>/_docs in Debian's headless Chromium, authorised with a
// pasted token, runs "Try it out" → "Execute" on the list operation against the live server.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { chromium } from 'playwright-core'
import t from 'tap'
import { PROJECT_ROOT } from '../../lib/project-root.js'
import { build, createTestApp } from '../helper.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const SCREENSHOT = path.join(PROJECT_ROOT, 'test', 'artifacts', 'docs.png')
const WAIT = { timeout: 30_000 }

t.test('Swagger UI: authorise with a token, execute the list operation, see records', async (t) => {
  if (!existsSync(CHROMIUM)) {
    // CI installs chromium in .ci/run, so a missing browser there is a failure, not a skip.
    if (process.env.CI === 'true') t.fail(`${CHROMIUM} is missing: install Debian's chromium package`)
    else t.pass('browser test', { skip: `${CHROMIUM} is missing (apt-get install -y chromium); skipped locally` })
    return
  }
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const a = await createTestApp(app, 'docsui')
  const entity = { name: 'book', table: 'books', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }, { name: 'pages', type: 'int' }] }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: entity })).statusCode, 201)
  for (const title of ['Dune', 'Solaris']) {
    t.equal((await a.as(a.admin, { method: 'POST', url: '/book', payload: { title, pages: 400 } })).statusCode, 201)
  }

  const profile = await mkdtemp(path.join(tmpdir(), 'rocket-chromium-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 900 } })
  t.teardown(async () => {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  })
  const problems: string[] = []
  const page = await context.newPage()
  page.on('console', (msg) => { if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text()) })
  page.on('pageerror', (err) => problems.push(err.message))

  await page.goto(`http://127.0.0.1:${port}/api/${a.name}/_docs`)
  await page.fill('#token', a.admin)
  await page.click('#use-token')
  const op = page.locator('#operations-book-list_book')
  await op.waitFor(WAIT)
  t.match(await page.textContent('#status'), /Authorized/, 'the page says it is authorised')
  await op.locator('.opblock-summary-control').click()
  await op.locator('.try-out__btn').click(WAIT)
  await op.locator('.execute').click(WAIT)
  const live = op.locator('.live-responses-table')
  await live.locator('.response-col_status', { hasText: '200' }).first().waitFor(WAIT)
  const body = await live.locator('.response-col_description pre').first().textContent() ?? ''
  t.match(body, /"title": "Dune"/, 'response panel shows the records')
  t.match(body, /"total": 2/, 'and the list meta')
  await live.scrollIntoViewIfNeeded()
  await mkdir(path.dirname(SCREENSHOT), { recursive: true })
  await page.screenshot({ path: SCREENSHOT })
  t.same(problems, [], 'no CSP violation or page error')

  // The login form takes what the API takes: app users, and platform users (admins of every app).
  const login = async (email: string, password: string): Promise<string> => {
    await page.click('#forget')
    await page.waitForLoadState('load')
    await page.fill('#email', email)
    await page.fill('#password', password)
    await page.click('#login')
    await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '') !== '' && !/Loading|Paste/.test(document.getElementById('status')?.textContent ?? ''), undefined, WAIT)
    return await page.textContent('#status') ?? ''
  }
  t.match(await login('platform@localhost', 'changeme'), /Authorized/, 'platform credentials log in')
  await op.waitFor(WAIT)
  t.match(await login('admin@localhost', 'changeme'), /Authorized/, 'app credentials log in')
  t.match(await login('platform@localhost', 'wrong-password'), /[Ii]nvalid|refused|failed/, 'wrong credentials are refused with the API message')
  t.same(problems, [], 'no CSP violation or page error while logging in')
})
