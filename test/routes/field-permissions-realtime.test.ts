import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, createTestApp, type TestApp } from '../helper.js'
import { dataOf, openSse, type SseStream } from '../sse-client.js'
import { keys, make, policy, schema, userToken, type Row } from './field-permissions-fixtures.js'

/** Field-level read permissions on the realtime stream (real HTTP SSE, docs/security.md "Field permissions"). */

let base = ''

async function server (): Promise<FastifyInstance> {
  const app = await build(t, { realtimeHeartbeatMs: 1000, realtimePollIntervalMs: 100 })
  if (base === '') {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const addr = app.server.address()
    base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
  }
  return app
}

async function subscribe (a: TestApp, query: string, token: string): Promise<SseStream> {
  const s = await openSse(`${base}/api/${a.name}/_realtime?${query}`, { authorization: `Bearer ${token}` })
  if (s.status === 200) t.teardown(() => { s.close() })
  return s
}

t.test('events carry only the fields the subscriber may read, per row; hidden fields cannot be filtered or selected', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const alice = await userToken(a, 'alice@example.test', ['staff'])
  const viewer = (await userToken(a, 'viewer@example.test', ['viewer'])).token
  await policy(a, { entity: 'employee', action: 'read', roles: ['viewer'], fields: ['name', 'dept'] })
  await policy(a, { entity: 'employee', action: 'read', roles: ['staff'], fields: ['name'] })
  await policy(a, { entity: 'employee', action: 'read', roles: ['staff'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })

  for (const [query, field] of [['entities=employee&filter[employee][salary.gt]=1', 'salary'], ['entities=employee&fields[employee]=name,ssn', 'ssn']]) {
    const refused = await subscribe(a, query as string, viewer)
    t.equal(refused.status, 403, refused.body)
    t.same(JSON.parse(refused.body).error.details.map((d: Row) => [d.field, d.rule]), [[field, 'field_permission']])
  }
  const sv = await subscribe(a, 'entities=employee', viewer)
  const sa = await subscribe(a, 'entities=employee', alice.token)
  const sel = await subscribe(a, 'entities=employee&fields[employee]=name,salary&filter[employee][name.neq]=zzz', alice.token)
  t.equal(sv.status, 200)
  t.equal(sel.status, 200, 'a field some row shows may be selected; name is on every row, so it filters')
  const own = await make(a, 'employee', { name: 'Ann', dept: 'ops', salary: 100, ssn: 'ssn-1', owner_id: alice.id })
  const other = await make(a, 'employee', { name: 'Ben', dept: 'dev', salary: 200, ssn: 'ssn-2' })
  const upd = await a.as(a.admin, { method: 'PUT', url: `/employee/${String(other.id)}`, payload: { salary: 201, name: 'Benny' } })
  t.equal(upd.statusCode, 200)
  await a.as(a.admin, { method: 'DELETE', url: `/employee/${String(own.id)}` })

  const ev = await sv.waitFor(4)
  t.same(ev.map((e) => e.event), ['create', 'create', 'update', 'delete'])
  for (const e of ev) t.same(keys(dataOf(e).record), ['dept', 'id', 'name'], `viewer ${e.event}: fixed fields`)
  t.same(dataOf(ev[2] as never).changes, { name: { old: 'Ben', new: 'Benny' } }, 'changes of hidden fields are not sent')
  t.same(keys(dataOf(ev[2] as never).old), ['dept', 'id', 'name'])
  t.notMatch(ev.map((e) => e.data).join('\n'), /ssn|salary|[:,[]201[,}\]]/, 'no hidden name or value (201 as a JSON value, not inside a timestamp)')

  const ea = await sa.waitFor(4)
  t.equal(dataOf(ea[0] as never).record.salary, 100, 'her own row: whole')
  t.same(keys(dataOf(ea[1] as never).record), ['id', 'name'], 'another row: the shared fields')
  t.same(dataOf(ea[2] as never).changes, { name: { old: 'Ben', new: 'Benny' } })
  t.equal(dataOf(ea[3] as never).record.ssn, 'ssn-1', 'a delete of her own row shows it as it was')
  const es = await sel.waitFor(2)
  t.same(dataOf(es[0] as never).record, { name: 'Ann', salary: 100 })
  t.same(dataOf(es[1] as never).record, { name: 'Ben' }, 'the selection is cut to what the row shows')
})
