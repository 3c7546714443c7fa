import t from 'tap'
import { build, createTestApp, expectError } from '../helper.js'

t.test('malformed input never yields a 500', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const res0 = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'body', type: 'text' }, { name: 'n', type: 'int' }] } })
  t.equal(res0.statusCode, 201)
  const json = { 'content-type': 'application/json' }
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', headers: json, payload: '{"body": "x",' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', headers: { 'content-type': 'text/plain' }, payload: 'hello' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', headers: json, payload: '' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', headers: json, payload: '[1,2]' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', headers: json, payload: '"text"' }), 400, 'INVALID_PAYLOAD')
  const deep = '{"body":' + '['.repeat(70) + ']'.repeat(70) + '}'
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', headers: json, payload: deep }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', headers: json, payload: '{"__proto__": {"x": 1}}' }), 400, 'INVALID_PAYLOAD')
  const big = JSON.stringify({ body: 'x'.repeat(1024 * 1024 + 10) })
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', headers: json, payload: big }), 413, 'PAYLOAD_TOO_LARGE')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', payload: { n: 'seven' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/note', payload: { n: 2 ** 40 } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { url: '/note/%E0%A4%A' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/note?filter[n.between]=1' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/note?filter[n]=abc' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/note?page=0' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/note?sort=nope' }), 400, 'UNKNOWN_FIELD')
  expectError(t, await a.as(a.admin, { url: '/note/12345' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/note/12345', payload: {} }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: '/note/00000000-0000-0000-0000-000000000000' }), 404, 'NOT_FOUND')
  expectError(t, await app.inject({ url: '/api/Bad%20App/note' }), 404, 'APP_NOT_FOUND')
  expectError(t, await app.inject({ url: '/nowhere' }), 404, 'NOT_FOUND')
  const list = await a.as(a.admin, { url: '/note' })
  t.equal(list.json().meta.total, 0, 'no partial data from rejected writes')
  for (const r of [list]) {
    t.notOk(/stack|at \/|SELECT|postgres/i.test(r.body), 'no internals leak')
  }
})

t.test('errors never leak SQL or stack', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'thing', fields: [{ name: 'id', type: 'uuid' }, { name: 'code', type: 'string', unique: true }] } })
  await a.as(a.admin, { method: 'POST', url: '/thing', payload: { code: 'a' } })
  const dup = await a.as(a.admin, { method: 'POST', url: '/thing', payload: { code: 'a' } })
  expectError(t, dup, 409, 'CONFLICT')
  t.equal(dup.json().error.details[0].field, 'code')
  t.notOk(/duplicate key|constraint|INSERT/i.test(dup.body))
})
