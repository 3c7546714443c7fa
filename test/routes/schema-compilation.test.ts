// lib/schema/route-compilers.ts: a server built as `npm start` builds it compiles every declared
// route schema while it gets ready; the test helper's servers compile each on first use. Both
// must answer alike.
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../../app.js'
import { loadConfig } from '../../config/index.js'
import { withDatabase } from '../../lib/db/connection.js'
import { dropDatabases, testServerUrl } from '../db-helper.js'
import { build, createTestApp } from '../helper.js'

async function serverCompilingAtStartup (): Promise<FastifyInstance> {
  const server = await testServerUrl()
  const mgmt = `rocket_mgmt_${randomBytes(4).toString('hex')}`
  const storagePath = path.join(tmpdir(), `rocket-files-${mgmt}`)
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { databaseUrl: withDatabase(server, mgmt), storagePath })
  const app = await buildApp({ config })
  t.teardown(async () => {
    const dbs = await app.platform.sql<Array<{ db_name: string }>>`SELECT db_name FROM _apps`.catch(() => [])
    await app.close()
    await rm(storagePath, { recursive: true, force: true })
    await dropDatabases(server, [...dbs.map((d) => d.db_name), mgmt])
  })
  return app
}

t.test('every declared schema compiles while the server gets ready, and both ways answer alike', async (t) => {
  const eager = await serverCompilingAtStartup()
  await eager.ready()
  const lazy = await build()
  const [a, b] = [await createTestApp(eager), await createTestApp(lazy)]
  const requests = [
    // body validation: 400 for a malformed credential, with details
    (name: string) => ({ method: 'POST' as const, url: `/api/${name}/auth/login`, payload: { email: 'admin@localhost', password: 7 } }),
    // body validation: 422 with an unknown key named
    (name: string) => ({ method: 'POST' as const, url: `/api/${name}/_admin/entities`, payload: { name: 'note', fields: [{ name: 'title', type: 'string' }], colour: 'red' } }),
    // query string coercion and refusal
    (name: string) => ({ method: 'GET' as const, url: `/api/${name}/_admin/audit?limit=abc` }),
    // a declared response, serialized
    (name: string) => ({ method: 'GET' as const, url: `/api/${name}/_admin/entities` })
  ]
  for (const request of requests) {
    const [x, y] = [request(a.name), request(b.name)]
    const [rx, ry] = [
      await eager.inject({ ...x, headers: { authorization: `Bearer ${a.admin}` } }),
      await lazy.inject({ ...y, headers: { authorization: `Bearer ${b.admin}` } })
    ]
    t.equal(rx.statusCode, ry.statusCode, `${x.method} ${x.url.replace(a.name, ':app')}: same status (${rx.statusCode})`)
    t.same(rx.json(), ry.json(), 'same body')
  }
})
