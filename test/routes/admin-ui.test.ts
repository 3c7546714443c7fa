// Serving of the built admin UI (routes/admin-ui.ts) from a stand-in dist folder: no database needed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import adminUi, { ADMIN_CSP } from '../../routes/admin-ui.js'

const INDEX = '<!doctype html><script type="module" src="/admin/assets/index-abc123.js"></script><div id="root"></div>'

async function server (root: string): Promise<FastifyInstance> {
  // The same router options as buildApp: `/admin` and `/admin/` reach one route.
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } })
  await app.register(adminUi, { root })
  t.teardown(async () => { await app.close() })
  return app
}

t.test('built UI: files, SPA fallback, caching, CSP, redirect', async (t) => {
  const dist = await mkdtemp(join(tmpdir(), 'rocket-admin-dist-'))
  t.teardown(async () => { await rm(dist, { recursive: true, force: true }) })
  await mkdir(join(dist, 'assets'))
  await writeFile(join(dist, 'index.html'), INDEX)
  await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)\n')
  await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  const app = await server(dist)

  const index = await app.inject({ url: '/admin/' })
  t.equal(index.statusCode, 200)
  t.match(index.headers['content-type'], /text\/html/)
  t.equal(index.headers['cache-control'], 'no-cache', 'index.html is revalidated')
  t.equal(index.headers['content-security-policy'], ADMIN_CSP)
  t.match(ADMIN_CSP, /script-src 'self'(;|$)/, 'scripts: same origin only, nothing inline')
  t.equal(index.body, INDEX)

  const asset = await app.inject({ url: '/admin/assets/index-abc123.js' })
  t.equal(asset.statusCode, 200)
  t.match(asset.headers['content-type'], /javascript/)
  t.match(asset.headers['cache-control'], /max-age=31536000, immutable/, 'hashed assets cached for a year')

  const other = await app.inject({ url: '/admin/favicon.svg' })
  t.equal(other.statusCode, 200)
  t.equal(other.headers['cache-control'], 'no-cache', 'unhashed files are revalidated')

  for (const url of ['/admin/app/shop/data/invoice', '/admin/apps?x=1', '/admin/index.html']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 200, `${url}: index.html`)
    t.equal(res.body, INDEX)
  }

  const missing = await app.inject({ url: '/admin/assets/gone-123.js' })
  t.equal(missing.statusCode, 404, 'a missing asset is a 404, not index.html')
  t.equal(missing.json().error.code, 'NOT_FOUND')

  const traversal = await app.inject({ url: '/admin/..%2f..%2fpackage.json' })
  t.not(traversal.body, '', 'answered')
  t.notMatch(traversal.body, /"dependencies"/, 'nothing outside dist is served')

  const redirect = await app.inject({ url: '/admin?x=1' })
  t.equal(redirect.statusCode, 301)
  t.equal(redirect.headers.location, '/admin/?x=1')

  const head = await app.inject({ method: 'HEAD', url: '/admin/' })
  t.equal(head.statusCode, 200, 'HEAD works')
})

t.test('UI not built: the server runs and /admin/ says how to build it', async (t) => {
  const app = await server(join(tmpdir(), 'rocket-admin-missing-dist'))
  for (const url of ['/admin/', '/admin/apps', '/admin/assets/x.js']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 503, url)
    const body = res.json() as { error: { code: string, message: string } }
    t.equal(body.error.code, 'ADMIN_UI_NOT_BUILT')
    t.match(body.error.message, /npm run build:admin/)
  }
})
