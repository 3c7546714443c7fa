// Issue 10: a nested create needing no JavaScript between its statements is ONE statement
// (docs/ARCHITECTURE.md, "One-statement writes"). Each payload below runs on both paths — the
// one statement, and the statement-per-record path (`oneStatementWrites.enabled = false`) — on
// emptied tables, and the two must leave exactly the same rows, audit rows, realtime change rows
// and webhook outbox rows, and answer the same status and body (error details included).
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { Sql } from '../../lib/db/connection.js'
import { oneStatementWrites } from '../../lib/write/one-statement.js'
import { build, createTestApp, type TestApp } from '../helper.js'
import { appContext } from './business-fixtures.js'

type Row = Record<string, unknown>

const ENTITIES: Row[] = [
  { name: 'customer', table: 'customers', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true, unique: true }] },
  {
    name: 'invoice',
    table: 'invoices',
    fields: [
      { name: 'id', type: 'uuid' }, { name: 'number', type: 'string', required: true, unique: true }, { name: 'status', type: 'string', default: 'draft' },
      { name: 'total', type: 'decimal', precision: 2 }, { name: 'issued', type: 'timestamp' }, { name: 'due_on', type: 'date' }, { name: 'customer_id', type: 'uuid' }
    ]
  },
  {
    name: 'item',
    table: 'items',
    fields: [
      { name: 'id', type: 'uuid' }, { name: 'invoice_id', type: 'uuid', required: true }, { name: 'sku', type: 'string', required: true, unique: true },
      { name: 'quantity', type: 'int' }, { name: 'big', type: 'bigint' }, { name: 'meta', type: 'json' }, { name: 'taxed', type: 'boolean' }
    ]
  },
  { name: 'part', table: 'parts', primary_key: { field: 'id', type: 'int', generated: true }, fields: [{ name: 'id', type: 'int' }, { name: 'item_id', type: 'uuid', required: true }, { name: 'name', type: 'string', required: true, unique: true }] },
  { name: 'note', table: 'notes', fields: [{ name: 'id', type: 'uuid' }, { name: 'part_id', type: 'int', required: true }, { name: 'body', type: 'text', required: true, unique: true }] },
  { name: 'tag', table: 'tags', soft_delete: true, fields: [{ name: 'id', type: 'uuid' }, { name: 'label', type: 'string', required: true, unique: true }] }
]

const RELATIONS: Row[] = [
  { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', source_key: 'id', target_key: 'customer_id', inverse_name: 'customer' },
  { name: 'items', type: 'one_to_many', source: 'invoice', target: 'item', source_key: 'id', target_key: 'invoice_id', on_delete: 'cascade' },
  { name: 'parts', type: 'one_to_many', source: 'item', target: 'part', source_key: 'id', target_key: 'item_id', on_delete: 'cascade' },
  { name: 'notes', type: 'one_to_many', source: 'part', target: 'note', source_key: 'id', target_key: 'part_id', on_delete: 'cascade' },
  { name: 'tags', type: 'many_to_many', source: 'invoice', target: 'tag', source_key: 'id', target_key: 'id', join_table: 'invoice_tags' }
]

/** Natural key per table: generated ids are replaced by `<table:key>` before comparing. */
const TABLES: Array<[string, string]> = [['customers', 'name'], ['invoices', 'number'], ['items', 'sku'], ['parts', 'name'], ['notes', 'body'], ['tags', 'label']]

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

interface Seeds { tags: string[], deadTag: string, customer: string }
interface Case {
  name: string
  payload: (s: Seeds) => unknown
  /** Refused by the afterRow hooks, after the statement (no re-plan). */
  planFails?: boolean
}

const items = (n: number, prefix: string): Row[] => Array.from({ length: n }, (_, i) => ({ sku: `${prefix}-${i}`, quantity: i + 1, big: '9007199254740993', meta: { n: i, s: 'x' }, taxed: i % 2 === 0 }))

const CASES: Case[] = [
  { name: 'depth 1: siblings writing the same fields', payload: () => ({ number: 'D1', total: '12.5', issued: '2026-01-02T03:04:05.678Z', due_on: '2026-02-01', items: items(3, 'd1') }) },
  { name: 'depth 1: siblings writing different fields', payload: () => ({ number: 'D1b', items: [{ sku: 'a', quantity: 1 }, { sku: 'b' }, { sku: 'c', meta: [1, 2], taxed: false }] }) },
  { name: 'depth 1: one child (has_many in append mode)', payload: () => ({ number: 'D1c', items: { _write_mode: 'append', data: [{ sku: 'only' }] } }) },
  { name: 'depth 1: replace mode', payload: () => ({ number: 'D1d', items: { _write_mode: 'replace', data: items(2, 'r') } }) },
  { name: 'depth 1: diff mode', payload: () => ({ number: 'D1e', items: { _write_mode: 'diff', data: items(5, 'df') } }) },
  {
    name: 'depth 2: items with parts',
    payload: () => ({ number: 'D2', items: [{ sku: 'i1', parts: [{ name: 'p1' }, { name: 'p2' }] }, { sku: 'i2', parts: [{ name: 'p3' }] }, { sku: 'i3' }] })
  },
  {
    name: 'depth 3: items, parts, notes',
    payload: () => ({ number: 'D3', items: [{ sku: 'j1', parts: [{ name: 'q1', notes: [{ body: 'n1' }, { body: 'n2' }] }, { name: 'q2' }] }, { sku: 'j2', parts: [{ name: 'q3', notes: [{ body: 'n3' }] }] }] })
  },
  { name: 'belongs_to: a new customer written first', payload: () => ({ number: 'BT', customer: { name: 'New Co' }, items: items(2, 'bt') }) },
  { name: 'many_to_many: diff', payload: (s) => ({ number: 'M1', tags: { _write_mode: 'diff', data: [s.tags[0], { id: s.tags[1] }, s.tags[0]] }, items: items(1, 'm1') }) },
  { name: 'many_to_many: replace', payload: (s) => ({ number: 'M2', tags: { _write_mode: 'replace', data: s.tags } }) },
  { name: 'many_to_many: append', payload: (s) => ({ number: 'M3', tags: { _write_mode: 'append', data: [s.tags[1]] }, customer_id: s.customer }) },
  // Failures: the one statement fails as a whole and the unit is re-planned on the old path, which names the record.
  { name: 'unique violation at depth 1', payload: () => ({ number: 'E1', items: [{ sku: 'seeded-sku' }, { sku: 'fresh' }] }) },
  { name: 'unique violation at depth 2', payload: () => ({ number: 'E2', items: [{ sku: 'e2', parts: [{ name: 'ok' }, { name: 'seeded-part' }] }] }) },
  { name: 'unique violation at depth 3', payload: () => ({ number: 'E3', items: [{ sku: 'e3', parts: [{ name: 'e3p', notes: [{ body: 'seeded-note' }] }] }] }) },
  { name: 'duplicate siblings in one multi-row INSERT', payload: () => ({ number: 'E4', items: [{ sku: 'dup' }, { sku: 'x' }, { sku: 'dup' }] }) },
  { name: 'unknown many_to_many target', payload: (s) => ({ number: 'E5', tags: [s.tags[0], '00000000-0000-4000-8000-000000000000'] }) },
  { name: 'soft-deleted many_to_many target', payload: (s) => ({ number: 'E6', tags: [s.deadTag] }) },
  { name: 'FK to a missing customer', payload: () => ({ number: 'E7', customer_id: '00000000-0000-4000-8000-000000000001', items: items(1, 'e7') }) },
  { name: 'unique violation of the root', payload: () => ({ number: 'seeded-invoice', items: items(1, 'e8') }) }
]

/** Empties every table the cases write, then seeds what they refer to (through the API). */
async function reset (sql: Sql, a: TestApp): Promise<Seeds> {
  await sql.unsafe('TRUNCATE customers, invoices, items, parts, notes, tags, invoice_tags, _audit_log, _changes, _webhook_logs')
  const post = async (url: string, payload: Row): Promise<Row> => {
    const res = await a.as(a.admin, { method: 'POST', url, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`)
    return res.json().data
  }
  const tags = [String((await post('/tag', { label: 't1' })).id), String((await post('/tag', { label: 't2' })).id)]
  const dead = String((await post('/tag', { label: 'dead' })).id)
  await a.as(a.admin, { method: 'DELETE', url: `/tag/${dead}` })
  const customer = String((await post('/customer', { name: 'Old Co' })).id)
  await post('/invoice', { number: 'seeded-invoice', items: [{ sku: 'seeded-sku', parts: [{ name: 'seeded-part', notes: [{ body: 'seeded-note' }] }] }] })
  await sql.unsafe('TRUNCATE _audit_log, _changes, _webhook_logs')
  return { tags, deadTag: dead, customer }
}

/** Replaces generated ids (uuids, serial ints under `id`/`record_id`/FK keys) by `<table:natural key>`. */
async function labeller (sql: Sql): Promise<(v: unknown) => unknown> {
  const names = new Map<string, string>()
  for (const [table, key] of TABLES) {
    for (const r of await sql.unsafe<Row[]>(`SELECT id::text AS id, ${key} AS k FROM ${table}`)) names.set(String(r.id), `<${table}:${String(r.k)}>`)
  }
  const label = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map((x) => label(x))
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, label(x, k)]))
    if (typeof v === 'number' && (key === 'id' || key.endsWith('_id'))) return names.get(String(v)) ?? v
    // Whole values and ids inside messages ("tag '<uuid>' does not exist").
    if (typeof v === 'string') return names.get(v) ?? v.replace(UUID_IN_TEXT, (id) => names.get(id) ?? id)
    return v
  }
  return label
}

async function defineSchema (t: Test, a: TestApp): Promise<void> {
  for (const [url, list] of [['/_admin/entities', ENTITIES], ['/_admin/relations', RELATIONS]] as const) {
    for (const payload of list) {
      const res = await a.as(a.admin, { method: 'POST', url, payload })
      t.equal(res.statusCode, 201, `${String(payload.name)}: ${res.body.slice(0, 300)}`)
    }
  }
}

/** Rows without a deterministic order (random uuids), in the order of their labelled JSON. */
function sorted (rows: Row[]): Row[] {
  return rows.map((r) => [JSON.stringify(r), r] as const).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([, r]) => r)
}

interface Snapshot { status: number, body: unknown, rows: Row, audit: Row[], changes: Row[], outbox: Row[] }

async function snapshot (sql: Sql, res: { statusCode: number, body: string }): Promise<Snapshot> {
  const label = await labeller(sql)
  const rows: Row = {}
  for (const [table, key] of TABLES) rows[table] = label(await sql.unsafe(`SELECT * FROM ${table} ORDER BY ${key}`))
  rows.invoice_tags = sorted(label(await sql.unsafe('SELECT invoice_id::text, tag_id::text FROM invoice_tags')) as Row[])
  const audit = label(await sql.unsafe('SELECT entity, record_id, action, changes, user_id FROM _audit_log ORDER BY at, id')) as Row[]
  const changes = label(await sql.unsafe('SELECT entity, record_id, action, record, old FROM _changes ORDER BY id')) as Row[]
  // Outbox rows of one unit share created_at and have random ids: compared as a set.
  const outbox = sorted((await sql.unsafe<Row[]>('SELECT entity, hook, url, request_body FROM _webhook_logs')).map((r) => {
    const body = { ...(r.request_body as Row) }
    delete body.idempotency_key
    delete body.timestamp
    return label({ ...r, request_body: body }) as Row
  }))
  return { status: res.statusCode, body: label(JSON.parse(res.body)), rows, audit, changes, outbox }
}

async function runBoth (t: Test, ctx: { app: FastifyInstance, a: TestApp, sql: Sql, token?: string }, c: Case): Promise<Snapshot[]> {
  const out: Snapshot[] = []
  for (const one of [true, false]) {
    const seeds = await reset(ctx.sql, ctx.a)
    oneStatementWrites.enabled = one
    const before = { ...oneStatementWrites }
    try {
      const res = await ctx.a.as(ctx.token ?? ctx.a.admin, { method: 'POST', url: '/invoice', payload: c.payload(seeds) as Row })
      out.push(await snapshot(ctx.sql, res))
      const used = { written: oneStatementWrites.written - before.written, failed: oneStatementWrites.failed - before.failed }
      const expected = !one ? { written: 0, failed: 0 } : res.statusCode === 201 ? { written: 1, failed: 0 } : { written: 0, failed: c.planFails === true ? 0 : 1 }
      t.same(used, expected, `${c.name}: ${one ? 'one statement (re-planned on failure)' : 'statement-per-record path'}`)
    } finally {
      oneStatementWrites.enabled = true
    }
  }
  const [one, old] = out as [Snapshot, Snapshot]
  t.same(one, old, `${c.name}: same status, body, rows, audit, changes and outbox on both paths`)
  return out
}

t.test('one-statement creates write exactly what the statement-per-record path writes', async (t) => {
  // One server per test file (test/helper.ts): both tests build it the same way.
  const app = await build(t, { webhookAllowPrivate: true })
  const a = await createTestApp(app, 'onestmt')
  await defineSchema(t, a)
  const sql = (await appContext(app, a)).sql
  for (const c of CASES) {
    const [one] = await runBoth(t, { app, a, sql }, c)
    const expectFailure = c.name.startsWith('unique') || c.name.startsWith('duplicate') || c.name.includes('target') || c.name.startsWith('FK')
    if (expectFailure) {
      t.ok(one !== undefined && one.status >= 400 && one.status < 500, `${c.name}: a 4xx (${String(one?.status)})`)
      t.same(one?.audit, [], `${c.name}: nothing audited`)
      t.same((one?.rows.invoices as Row[]).map((r) => r.number), ['seeded-invoice'], `${c.name}: no partial rows`)
    } else {
      t.equal(one?.status, 201, `${c.name}: created (${JSON.stringify(one?.body).slice(0, 200)})`)
      t.ok((one?.audit.length ?? 0) >= 1 && one?.audit.length === one?.changes.length, `${c.name}: one audit and one change row per written row`)
    }
  }
  const depth3 = await runBoth(t, { app, a, sql }, CASES[6] as Case)
  t.same(depth3[0]?.audit.map((r) => r.entity), ['invoice', 'item', 'part', 'note', 'note', 'part', 'item', 'part', 'note'], 'audit rows in write order, parent first')
  const e2 = (await runBoth(t, { app, a, sql }, CASES[12] as Case))[0]
  t.match(e2?.body, { error: { code: 'CONFLICT', details: [{ field: 'items[0].parts[1].name', relation: 'parts', index: 1 }] } }, 'the failing record is named')
  const e5 = (await runBoth(t, { app, a, sql }, CASES[15] as Case))[0]
  t.match(e5?.body, { error: { code: 'VALIDATION_FAILED', details: [{ field: 'tags[1].id', relation: 'tags', index: 1, rule: 'exists' }] } }, 'the unknown target is named')
})

t.test('conditional permissions and outbox rows: the statement runs in a transaction with the afterRow hooks', async (t) => {
  const app = await build(t, { webhookAllowPrivate: true })
  const a = await createTestApp(app, 'onestmtp')
  await defineSchema(t, a)
  const sql = (await appContext(app, a)).sql
  const user = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'clerk@example.test', password: 'password-123', roles: ['clerk'] } })
  t.equal(user.statusCode, 201)
  const token = (await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'clerk@example.test', password: 'password-123' } })).json().data.access_token as string
  const grant = async (payload: Row): Promise<void> => { t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload })).statusCode, 201) }
  await grant({ entity: 'invoice', action: 'create', roles: ['clerk'], conditions: [{ field: 'status', operator: 'eq', value: 'draft' }] })
  await grant({ entity: 'invoice', action: 'read', roles: ['clerk'] })
  await grant({ entity: 'item', action: 'create', roles: ['clerk'] })
  await grant({ entity: 'item', action: 'read', roles: ['clerk'] })
  // An async after_write webhook: its outbox row is written by afterRow in the unit's transaction.
  const hook = await a.as(a.admin, { method: 'POST', url: '/_admin/webhooks', payload: { entity: 'item', hook: 'after_write', url: 'http://127.0.0.1:9/hook', async: true } })
  t.equal(hook.statusCode, 201, hook.body)

  const ok = await runBoth(t, { app, a, sql, token }, { name: 'conditional create grant met', payload: () => ({ number: 'P1', items: items(2, 'p1') }) })
  t.equal(ok[0]?.status, 201)
  t.equal(ok[0]?.outbox.length, 2, 'one outbox row per item')
  const refused = await runBoth(t, { app, a, sql, token }, { name: 'conditional create grant not met', planFails: true, payload: () => ({ number: 'P2', status: 'sent', items: items(1, 'p2') }) })
  t.equal(refused[0]?.status, 403)
  t.same(refused[0]?.outbox, [], 'no outbox row for a refused write')
})
