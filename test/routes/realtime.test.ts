import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { dataOf, openSse, type SseStream } from '../sse-client.js'

type Row = Record<string, any>
type Tap = Pick<Test, 'equal'>

let base = ''
/** The instance serving `base` (the first one built): its hub holds every stream of this file. */
let listening: FastifyInstance | null = null

async function server (): Promise<FastifyInstance> {
  const app = await build(t, { realtimeHeartbeatMs: 200, realtimePollIntervalMs: 100, realtimeMaxBuffered: 20 })
  if (base === '') {
    listening = app
    await app.listen({ port: 0, host: '127.0.0.1' })
    const addr = app.server.address()
    base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
  }
  return app
}

async function schema (t: Tap, a: TestApp): Promise<void> {
  const defs = [
    { name: 'task', table: 'tasks', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }, { name: 'status', type: 'string', default: 'open' }, { name: 'owner', type: 'string' }, { name: 'points', type: 'decimal', precision: 10, scale: 2 }, { name: 'due', type: 'timestamp' }, { name: 'body', type: 'text' }] },
    { name: 'note', table: 'notes', primary_key: { field: 'id', type: 'int' }, fields: [{ name: 'id', type: 'int' }, { name: 'text', type: 'string' }] }
  ]
  for (const d of defs) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: d })).statusCode, 201)
}

async function make (a: TestApp, entity: string, payload: Row, token = a.admin): Promise<Row> {
  const res = await a.as(token, { method: 'POST', url: `/${entity}`, payload })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

async function change (a: TestApp, entity: string, id: unknown, payload: Row): Promise<void> {
  const res = await a.as(a.admin, { method: 'PUT', url: `/${entity}/${String(id)}`, payload })
  if (res.statusCode !== 200) throw new Error(res.body)
}

async function remove (a: TestApp, entity: string, id: unknown): Promise<void> {
  const res = await a.as(a.admin, { method: 'DELETE', url: `/${entity}/${String(id)}` })
  if (res.statusCode !== 200) throw new Error(res.body)
}

async function userToken (a: TestApp, email: string, roles: string[]): Promise<string> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return login.json().data.access_token
}

async function policy (a: TestApp, p: Row): Promise<void> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: p })
  if (res.statusCode !== 201) throw new Error(res.body)
}

async function subscribe (a: TestApp, query: string, token: string | null = a.admin, headers: Record<string, string> = {}): Promise<SseStream> {
  const auth: Record<string, string> = token !== null ? { authorization: `Bearer ${token}` } : {}
  const s = await openSse(`${base}/api/${a.name}/_realtime?${query}`, { ...auth, ...headers })
  if (s.status === 200) t.teardown(() => { s.close() })
  return s
}

async function ctxOf (app: FastifyInstance, a: TestApp): Promise<AppContext> {
  return await app.platform.apps.get(a.name) as AppContext
}

t.test('_changes: one row per changed record, in the write transaction', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const ctx = await ctxOf(app, a)
  const task = await make(a, 'task', { title: 'A', points: '1.50', due: '2026-01-02T03:04:05Z' })
  await change(a, 'task', task.id, { status: 'done' })
  await change(a, 'task', task.id, { status: 'done' }) // nothing changed: no row
  await remove(a, 'task', task.id)
  const bad = await a.as(a.admin, { method: 'POST', url: '/task', payload: { status: 'x' } })
  t.equal(bad.statusCode, 422, 'a refused write records nothing')
  const rows = await ctx.sql<Row[]>`SELECT id::int AS id, entity, record_id, action, record, old FROM _changes ORDER BY id`
  t.same(rows.map((r) => r.action), ['create', 'update', 'delete'])
  t.same(rows.map((r) => r.id), [rows[0]?.id, rows[0]?.id + 1, rows[0]?.id + 2], 'dense ids')
  t.match(rows[0], { entity: 'task', record_id: task.id, record: { id: task.id, title: 'A', status: 'open', points: '1.50', due: '2026-01-02T03:04:05.000Z' }, old: null })
  t.match(rows[1], { record: { status: 'done' }, old: { status: 'open' } })
  t.match(rows[2], { record: null, old: { id: task.id, status: 'done' } })
})

t.test('stream: create, update, delete events with increasing ids, serialized like reads', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const s = await subscribe(a, 'entities=task,note')
  t.equal(s.status, 200)
  t.match(s.headers['content-type'], /^text\/event-stream/)
  const task = await make(a, 'task', { title: 'A', points: '2', due: '2026-01-02T03:04:05Z' })
  await change(a, 'task', task.id, { title: 'B' })
  const note = await make(a, 'note', { text: 'n' })
  await remove(a, 'task', task.id)
  const events = await s.waitFor(4)
  t.same(events.map((e) => e.event), ['create', 'update', 'create', 'delete'])
  const ids = events.map((e) => Number(e.id))
  t.ok(ids.every((id, i) => i === 0 || id > (ids[i - 1] as number)), `increasing ids ${ids.join(',')}`)
  const read = (await a.as(a.admin, { url: `/note/${String(note.id)}` })).json().data
  t.same(dataOf(events[2] as never).record, read, 'record serialized like a read')
  t.match(dataOf(events[0] as never), { entity: 'task', id: task.id, action: 'create', record: { title: 'A', points: '2.00', due: '2026-01-02T03:04:05.000Z' } })
  t.match(dataOf(events[1] as never), { action: 'update', record: { title: 'B' }, old: { title: 'A' }, changes: { title: { old: 'A', new: 'B' } } })
  t.match(dataOf(events[3] as never), { action: 'delete', record: { id: task.id, title: 'B' } })
  t.ok(typeof dataOf(events[0] as never).at === 'string')
  await s.waitFor(0)
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.ok(s.comments.includes('heartbeat'), 'heartbeat comment')
})

t.test('filters and fields per entity; access_token in the URL', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const s = await subscribe(a, `entities=task&filter[task][status.in]=open,review&fields[task]=id,title&access_token=${a.admin}`, null)
  t.equal(s.status, 200)
  const x = await make(a, 'task', { title: 'X', status: 'closed' })
  const y = await make(a, 'task', { title: 'Y', status: 'open' })
  await change(a, 'task', x.id, { status: 'review' }) // into scope → create
  await change(a, 'task', y.id, { status: 'closed' }) // out of scope → delete
  const events = await s.waitFor(3)
  t.same(events.map((e) => [e.event, dataOf(e).record.title]), [['create', 'Y'], ['create', 'X'], ['delete', 'Y']])
  t.same(Object.keys(dataOf(events[0] as never).record), ['id', 'title'], 'fields[task] selects the fields')
  t.equal(dataOf(events[2] as never).record.status, undefined)
})

t.test('row-level read permissions per subscriber, $user references, moving out of scope', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  await policy(a, { entity: 'task', action: 'read', roles: ['member'], conditions: [{ field: 'owner', operator: 'eq', value: '$user.email' }] })
  const ann = await userToken(a, 'ann@example.test', ['member'])
  const bob = await userToken(a, 'bob@example.test', ['member'])
  const guest = await userToken(a, 'guest@example.test', ['guest'])
  const forbidden = await subscribe(a, 'entities=task', guest)
  expectError(t, { statusCode: forbidden.status, body: forbidden.body, json: () => JSON.parse(forbidden.body) } as never, 403, 'FORBIDDEN')
  const sa = await subscribe(a, 'entities=task', ann)
  const sb = await subscribe(a, 'entities=task', bob)
  const t1 = await make(a, 'task', { title: 'for ann', owner: 'ann@example.test' })
  await make(a, 'task', { title: 'for bob', owner: 'bob@example.test' })
  await change(a, 'task', t1.id, { owner: 'bob@example.test' }) // ann: delete (moved out); bob: create (moved in)
  await change(a, 'task', t1.id, { title: 'renamed' }) // bob: update
  await remove(a, 'task', t1.id) // bob: delete
  const ea = await sa.waitFor(2)
  const eb = await sb.waitFor(4)
  t.same(ea.map((e) => [e.event, dataOf(e).record.title]), [['create', 'for ann'], ['delete', 'for ann']])
  t.equal(dataOf(ea[1] as never).record.owner, 'ann@example.test', 'moved-out delete carries the row as the subscriber could see it')
  t.same(eb.map((e) => [e.event, dataOf(e).record.title]), [['create', 'for bob'], ['create', 'for ann'], ['update', 'renamed'], ['delete', 'renamed']])
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(sa.events.length, 2, 'ann sees nothing more')
})

t.test('malformed parameters: 4xx in the envelope, never 500', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const cases: Array<[string, number, string, string | null]> = [
    ['', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=nope', 404, 'UNKNOWN_ENTITY', a.admin],
    ['entities=task&filter[task][nope.eq]=1', 400, 'UNKNOWN_FIELD', a.admin],
    ['entities=task&filter[task][status.zz]=1', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&filter[task][points.gt]=abc', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&filter[task][title.like]=a%25', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&filter[note][text.eq]=a', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&filter[task]=a', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&fields[task]=nope', 400, 'UNKNOWN_FIELD', a.admin],
    ['entities=task&last_event_id=abc', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&last_event_id=-1', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&last_event_id=99999999999999999999', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&entities=note', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task&bogus=1', 400, 'INVALID_PAYLOAD', a.admin],
    ['entities=task', 401, 'UNAUTHORIZED', null],
    ['entities=task&access_token=garbage', 401, 'UNAUTHORIZED', null]
  ]
  for (const [q, status, code, token] of cases) {
    const s = await subscribe(a, q, token)
    t.equal(s.status, status, `${q} → ${status} (${s.body})`)
    t.equal(JSON.parse(s.body).error.code, code, q)
  }
  const h = await subscribe(a, 'entities=task', a.admin, { 'last-event-id': 'x1' })
  t.equal(h.status, 400, 'malformed Last-Event-ID header')
})

t.test('resume with Last-Event-ID: replay then live, no gap, no duplicate; pruned id → reset', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const first = await subscribe(a, 'entities=note')
  await make(a, 'note', { text: '1' })
  const [e1] = await first.waitFor(1)
  first.close()
  for (const text of ['2', '3', '4']) await make(a, 'note', { text })
  const again = await subscribe(a, 'entities=note', a.admin, { 'last-event-id': String(e1?.id) })
  await make(a, 'note', { text: '5' })
  const events = await again.waitFor(4)
  t.same(events.map((e) => dataOf(e).record.text), ['2', '3', '4', '5'])
  const viaQuery = await subscribe(a, `entities=note&last_event_id=${String(events[2]?.id)}`)
  t.same((await viaQuery.waitFor(1)).map((e) => dataOf(e).record.text), ['5'])
  const ctx = await ctxOf(app, a)
  await ctx.sql`DELETE FROM _changes WHERE id <= ${Number(events[0]?.id)}`
  const stale = await subscribe(a, 'entities=note', a.admin, { 'last-event-id': String(e1?.id) })
  const [reset] = await stale.waitFor(1)
  t.equal(reset?.event, 'reset')
  await make(a, 'note', { text: '6' })
  const after = await stale.waitFor(2)
  t.same([after[1]?.event, dataOf(after[1] as never).record.text], ['create', '6'], 'live after the reset')
})

t.test('retention job prunes old changes', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  await make(a, 'note', { text: 'old' })
  await make(a, 'note', { text: 'new' })
  const ctx = await ctxOf(app, a)
  await ctx.sql`UPDATE _changes SET at = now() - interval '2 days' WHERE record->>'text' = 'old'`
  const deleted = await app.realtime?.pruneNow()
  t.ok((deleted ?? 0) >= 1)
  t.same((await ctx.sql<Row[]>`SELECT record->>'text' AS text FROM _changes`).map((r) => r.text), ['new'])
})

t.test('a subscriber that cannot keep up gets overflow and is closed', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const s = await subscribe(a, 'entities=task')
  s.pause()
  const body = 'x'.repeat(60_000)
  for (let i = 0; i < 400 && !s.isEnded(); i++) await make(a, 'task', { title: `t${i}`, body })
  s.resume()
  await s.ended
  t.equal(s.events.at(-1)?.event, 'overflow')
  t.ok(s.events.length < 400, `closed early (${s.events.length} events)`)
})

t.test('token expiry ends the stream with auth_expired', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const ctx = await ctxOf(app, a)
  const claims = JSON.parse(Buffer.from(a.admin.split('.')[1] as string, 'base64url').toString()) as Row
  const short = app.jwt.sign({ sub: claims.sub, email: claims.email, roles: claims.roles, app: a.name, scope: 'app', type: 'access' }, { key: ctx.jwtSecret, expiresIn: 2 })
  const s = await subscribe(a, 'entities=note', short)
  t.equal(s.status, 200)
  await s.ended
  t.same(s.events.map((e) => e.event), ['auth_expired'])
})

t.test('OpenAPI documents the stream as text/event-stream', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const doc = (await a.as(a.admin, { url: '/_openapi.json' })).json()
  const op = doc.paths['/_realtime']?.get
  t.equal(op?.operationId, 'realtime_stream')
  t.ok(op?.responses['200'].content['text/event-stream'], 'text/event-stream response')
  // Documented from the route schema: query parameters, then headers.
  t.same(op?.parameters.map((p: Row) => p.name), ['entities', 'last_event_id', 'access_token', 'Last-Event-ID'])
  t.equal(op?.parameters[0].required, true)
})

t.test('children a set_null delete policy detaches are streamed as updates (and audited)', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  for (const d of [
    { name: 'team', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }] },
    { name: 'member', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }, { name: 'team_id', type: 'uuid' }] }
  ]) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: d })).statusCode, 201)
  const rel = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: { name: 'members', type: 'one_to_many', source: 'team', target: 'member', target_key: 'team_id', on_delete: 'set_null', inverse_name: 'team' } })
  t.equal(rel.statusCode, 201, rel.body)
  const team = await make(a, 'team', { name: 'T' })
  const m = await make(a, 'member', { name: 'M', team_id: team.id })
  const s = await subscribe(a, 'entities=team,member')
  await remove(a, 'team', team.id)
  const events = await s.waitFor(2)
  t.same(events.map((e) => [e.event, dataOf(e).entity]), [['update', 'member'], ['delete', 'team']])
  t.same(dataOf(events[0] as never).changes, { team_id: { old: team.id, new: null } })
  t.equal(dataOf(events[0] as never).id, m.id)
  const audit = (await a.as(a.admin, { url: `/_admin/audit?entity=member&record_id=${String(m.id)}` })).json().data
  t.same(audit.map((r: Row) => r.action), ['update', 'create'])
})

t.test('the hub counts open streams as they join and leave (the pacing reads the count per batch window)', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const count = (): number => listening?.realtime?.subscriberCount() ?? -1
  const settled = async (want: number): Promise<number> => {
    for (let i = 0; i < 100 && count() !== want; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    return count()
  }
  const before = await settled(0)
  const one = await subscribe(a, 'entities=task')
  const two = await subscribe(a, 'entities=note')
  t.equal(count(), before + 2, 'counted once subscribed')
  one.close()
  t.equal(await settled(before + 1), before + 1, 'a closed stream leaves the count')
  two.close()
  t.equal(await settled(before), before)
})

t.test('deleting the app ends its streams with reconnect', async (t) => {
  const app = await server()
  const a = await createTestApp(app)
  await schema(t, a)
  const s = await subscribe(a, 'entities=note')
  await make(a, 'note', { text: 'x' })
  await s.waitFor(1)
  const del = await app.inject({ method: 'DELETE', url: `/api/_platform/apps/${a.name}`, headers: { authorization: `Bearer ${a.platform}` } })
  t.equal(del.statusCode, 200, del.body)
  await s.ended
  t.same(s.events.map((e) => e.event), ['create', 'reconnect'])
})
