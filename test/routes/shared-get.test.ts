// Concurrent reads of one record by primary key share one query (docs/ARCHITECTURE.md, "Shared
// statements"). The same reads — different records, one record several times, a missing record,
// a field selection, and a user whose read permission only covers their own rows — are sent one
// after another and all at once: each must get exactly the same answer both ways.
import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { sharedReadStats } from '../../lib/query/shared-get.js'
import { build, createTestApp } from '../helper.js'
import { adminCreate, appContext, defineSchema, userToken, type Row } from './business-fixtures.js'

t.test('concurrent reads by key share queries and answer exactly what one-by-one reads answer', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'sharedget')
  await defineSchema(t, a, {
    entities: [{ name: 'project', table: 'projects', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true }, { name: 'owner_id', type: 'uuid' }, { name: 'budget', type: 'decimal', precision: 2 }] }]
  })
  const { sql } = await appContext(app, a)
  const member = await userToken(app, a, 'member@example.test', ['member'])
  const [memberRow] = await sql.unsafe<Row[]>('SELECT id::text AS id FROM _users WHERE email = $1', ['member@example.test'])
  await adminCreate(a, 'permissions', { entity: 'project', action: 'read', roles: ['member'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })
  const ids: string[] = []
  for (let i = 0; i < 20; i++) {
    const res = await a.as(a.admin, { method: 'POST', url: '/project', payload: { name: `p${i}`, budget: `${i}.5`, owner_id: i % 2 === 0 ? memberRow?.id : null } })
    t.equal(res.statusCode, 201, res.body)
    ids.push(String(res.json().data.id))
  }
  await a.as(a.admin, { method: 'DELETE', url: `/project/${ids[19] ?? ''}` })

  interface Read { token: string, url: string }
  const reads: Read[] = []
  for (const id of ids) reads.push({ token: a.admin, url: `/project/${id}` })
  for (const id of ids.slice(0, 6)) reads.push({ token: a.admin, url: `/project/${id.toUpperCase()}` })
  for (const id of ids.slice(0, 6)) reads.push({ token: a.admin, url: `/project/${id}?fields=name` })
  for (const id of ids.slice(0, 10)) reads.push({ token: member, url: `/project/${id}` })
  reads.push({ token: a.admin, url: '/project/00000000-0000-4000-8000-000000000000' })
  const answer = (r: LightMyRequestResponse): Row => ({ status: r.statusCode, etag: r.headers.etag, body: r.json() })

  const before = { ...sharedReadStats }
  const alone: Row[] = []
  for (const r of reads) alone.push(answer(await a.as(r.token, { method: 'GET', url: r.url })))
  t.equal(sharedReadStats.shared, before.shared, 'one after another: no read shares a query')

  const atOnce = { ...sharedReadStats }
  const together = (await Promise.all(reads.map(async (r) => await a.as(r.token, { method: 'GET', url: r.url })))).map(answer)
  t.ok(sharedReadStats.shared > atOnce.shared, `all at once: reads shared queries (${sharedReadStats.shared - atOnce.shared} queries, ${sharedReadStats.rows - atOnce.rows} reads)`)
  t.same(together, alone, 'every read answered alike: status, ETag and body')
  t.equal(together.filter((r) => r.status === 404).length, 1 + 1 + 5, 'the missing, the deleted and the member\'s hidden records are 404')
  t.equal(together.filter((r) => r.status === 200 && (r.body as { data: Row }).data.name !== undefined && (r.body as { data: Row }).data.budget === undefined).length, 6, 'field selections kept')
})
