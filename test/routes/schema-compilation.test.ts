// lib/schema/route-compilers.ts: a server built as `npm start` builds it compiles every declared
// route schema while it gets ready; the test helper's servers compile each on first use. Both
// must answer alike.
import t from 'tap'
import { build, buildServer, createTestApp } from '../helper.js'

t.test('every declared schema compiles while the server gets ready, and both ways answer alike', async (t) => {
  const eager = await buildServer({}, { schemaCompilation: 'at-startup' })
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
