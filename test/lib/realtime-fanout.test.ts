import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { AppContext, UserContext } from '../../lib/apps/context.js'
import type { ChangeRow } from '../../lib/realtime/changes.js'
import { fanOut } from '../../lib/realtime/fanout.js'
import { Subscriber } from '../../lib/realtime/subscriber.js'
import { parseSubscription } from '../../lib/realtime/subscription.js'
import { build, createTestApp, type TestApp } from '../helper.js'

type Row = Record<string, any>

/** The socket under a stream: records every write (batches go here directly). */
class FakeSocket extends EventEmitter {
  writableNeedDrain = false
  readonly writes: Buffer[] = []
  write (b: Buffer): boolean { this.writes.push(b); return true }
}

/** The response side: heartbeats, control frames and one-by-one events go through `write`. */
class FakeResponse extends EventEmitter {
  destroyed = false
  chunkedEncoding = true
  readonly socket = new FakeSocket()
  readonly writes: string[] = []
  write (s: string): boolean { this.writes.push(s); return true }
  end (): void { this.emit('close') }
  destroy (): void { this.destroyed = true }
}

/** The SSE frames of a chunk-framed batch: `<hex length>\r\n<frames>\r\n`. */
function framesOf (chunk: Buffer): Array<{ id: number, event: string, data: Row }> {
  const text = chunk.toString('utf8')
  const cut = text.indexOf('\r\n')
  // A wrong chunk framing would corrupt the HTTP stream: fail the calling test.
  if (!text.endsWith('\r\n') || Number.parseInt(text.slice(0, cut), 16) !== Buffer.byteLength(text.slice(cut + 2, -2))) throw new Error(`bad chunk framing: ${JSON.stringify(text)}`)
  return text.slice(cut + 2, -2).split('\n\n').filter((f) => f !== '').map((f) => {
    const [id, event, data] = f.split('\n').map((l) => l.slice(l.indexOf(': ') + 2))
    return { id: Number(id), event: event as string, data: JSON.parse(data as string) }
  })
}

async function setup (): Promise<{ a: TestApp, ctx: AppContext }> {
  const app = await build(t)
  const a = await createTestApp(app)
  const entity = { name: 'task', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }, { name: 'status', type: 'string' }, { name: 'owner', type: 'string' }] }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: entity })).statusCode, 201)
  const policies = [
    { entity: 'task', action: 'read', roles: ['viewer'], conditions: [{ field: 'status', operator: 'eq', value: 'open' }] },
    { entity: 'task', action: 'read', roles: ['member'], conditions: [{ field: 'owner', operator: 'eq', value: '$user.email' }] }
  ]
  for (const p of policies) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: p })).statusCode, 201)
  return { a, ctx: await app.platform.apps.get(a.name) as AppContext }
}

function subscriber (ctx: AppContext, roles: string[], email: string, query: Record<string, string> = {}, maxBuffered = 1000): { sub: Subscriber, raw: FakeResponse } {
  const raw = new FakeResponse()
  const user: UserContext = { id: randomUUID(), email, roles }
  const { interests } = parseSubscription(ctx.registry, { entities: 'task', ...query }, undefined)
  const sub = new Subscriber({ raw: raw as unknown as ServerResponse, app: ctx, user, interests, credential: { expiresAt: null, valid: () => true }, heartbeatMs: 60_000, maxBuffered, onEnd: () => {} })
  t.teardown(() => { sub.end('reconnect') })
  return { sub, raw }
}

function task (id: number, action: ChangeRow['action'], record: Row | null, old: Row | null): ChangeRow {
  return { id, entity: 'task', record_id: String((record ?? old)?.id), action, record, old, at: new Date('2026-01-01T00:00:00Z') }
}

const t1 = { id: randomUUID(), title: 'one', status: 'open', owner: 'm1@x.test' }
const t2 = { id: randomUUID(), title: 'two', status: 'closed', owner: 'm2@x.test' }
const rows = [
  task(1, 'create', t1, null),
  task(2, 'create', t2, null),
  task(3, 'update', { ...t1, status: 'closed' }, t1)
]

t.test('one view group per permission class: frames encoded once, one shared write per subscriber per batch', async (t) => {
  const { ctx } = await setup()
  const v1 = subscriber(ctx, ['viewer'], 'v1@x.test')
  const v2 = subscriber(ctx, ['viewer'], 'v2@x.test')
  const m1 = subscriber(ctx, ['member'], 'm1@x.test')
  const m2 = subscriber(ctx, ['member'], 'm2@x.test')
  const admin = subscriber(ctx, ['admin'], 'admin@x.test')
  const subs = [v1, v2, m1, m2, admin]
  for (const s of subs) s.sub.goLive()
  t.equal(v1.sub.currentViews().key, v2.sub.currentViews().key, 'same role, no $user: one class')
  t.not(m1.sub.currentViews().key, m2.sub.currentViews().key, '$user conditions: a class per user')
  fanOut(rows, subs.map((s) => s.sub))
  for (const s of subs) t.equal(s.raw.socket.writes.length, 1, 'one socket write per subscriber for the batch')
  t.equal(v1.raw.socket.writes[0], v2.raw.socket.writes[0], 'the same buffer object for the whole view group')
  const seen = (s: { raw: FakeResponse }, write = 0): Array<[number, string, string]> =>
    framesOf(s.raw.socket.writes[write] as Buffer).map((f) => [f.id, f.event, f.data.record.status])
  t.same(seen(v1), [[1, 'create', 'open'], [3, 'delete', 'open']], 'viewer: the update moving the row out of scope is a delete of the row as it was')
  t.same(seen(m1), [[1, 'create', 'open'], [3, 'update', 'closed']])
  t.same(seen(m2), [[2, 'create', 'closed']])
  t.same(seen(admin), [[1, 'create', 'open'], [2, 'create', 'closed'], [3, 'update', 'closed']])
  const adminFrames = framesOf(admin.raw.socket.writes[0] as Buffer)
  t.same(adminFrames[2]?.data.changes, { status: { old: 'open', new: 'closed' } })
  for (const s of subs) t.same(s.raw.writes.filter((w) => w.startsWith('id:')), [], 'no event went through the one-by-one path')
  // The next batch: every subscriber has all ids up to 3, so nothing is repeated.
  fanOut([task(4, 'delete', null, { ...t2 })], subs.map((s) => s.sub))
  t.same(seen(m2, 1), [[4, 'delete', 'closed']])
  t.equal(v1.raw.socket.writes.length, 1, 'nothing visible: no write at all')
})

t.test('field sets and filters split view groups; equal ones share them', async (t) => {
  const { ctx } = await setup()
  const a = subscriber(ctx, ['admin'], 'a@x.test', { 'fields[task]': 'title' })
  const b = subscriber(ctx, ['admin'], 'b@x.test', { 'fields[task]': 'title' })
  const c = subscriber(ctx, ['admin'], 'c@x.test', { 'filter[task][owner]': 'm2@x.test' })
  for (const s of [a, b, c]) s.sub.goLive()
  t.not(a.sub.currentViews().key, c.sub.currentViews().key)
  fanOut(rows, [a.sub, b.sub, c.sub])
  t.equal(a.raw.socket.writes[0], b.raw.socket.writes[0])
  t.same(framesOf(a.raw.socket.writes[0] as Buffer).map((f) => f.data.record), [{ title: 'one' }, { title: 'two' }, { title: 'one' }])
  t.same(framesOf(c.raw.socket.writes[0] as Buffer).map((f) => f.id), [2])
})

t.test('a subscriber still replaying takes the batch one by one, after its replay', async (t) => {
  const { ctx } = await setup()
  const r = subscriber(ctx, ['admin'], 'r@x.test')
  fanOut(rows, [r.sub])
  t.same(r.raw.socket.writes, [], 'queued while replaying')
  r.sub.goLive()
  t.same(r.raw.writes.filter((w) => w.startsWith('id:')).map((w) => Number(w.slice(4, w.indexOf('\n')))), [1, 2, 3])
  fanOut([task(4, 'delete', null, { ...t2 })], [r.sub])
  t.equal(r.raw.socket.writes.length, 1, 'then live batches as shared bytes')
})

t.test('backpressure counts every event of a batch: past the limit the stream ends with overflow', async (t) => {
  const { ctx } = await setup()
  const slow = subscriber(ctx, ['admin'], 's@x.test', {}, 2)
  slow.sub.goLive()
  slow.raw.socket.writableNeedDrain = true
  fanOut(rows, [slow.sub])
  t.equal(slow.sub.ended, true)
  t.same(slow.raw.socket.writes, [], 'the batch that overflows is not written')
  t.match(slow.raw.writes.at(-1), /^event: overflow\n/)
})
