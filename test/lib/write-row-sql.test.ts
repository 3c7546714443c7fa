import t from 'tap'
import type { Test } from 'tap'
import { auditModule } from '../../lib/audit/module.js'
import { createRecord, deleteRecord, updateRecord, writtenRelation, type WriteHooks, type WriteNode } from '../../lib/write/index.js'
import { stopTestServer } from '../db-helper.js'
import { failure } from '../fixtures/failure.js'
import { writeFixture, type Row, type WriteFixture } from '../fixtures/schema-database.js'

t.teardown(stopTestServer)

const USER = { id: '0b9e3f1c-5a7d-4c2e-9f10-aa11bb22cc33', email: 'u@x.y', roles: ['clerk'] }

const ENTITIES = [
  {
    name: 'doc',
    table: 'docs',
    soft_delete: true,
    fields: [
      { name: 'title', type: 'string', required: true },
      { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
      { name: 'big', type: 'bigint' },
      { name: 'due_on', type: 'date' },
      { name: 'sent_at', type: 'timestamp' },
      { name: 'meta', type: 'json' },
      { name: 'done', type: 'boolean' }
    ]
  },
  { name: 'part', table: 'parts', fields: [{ name: 'doc_id', type: 'uuid', required: true }, { name: 'label', type: 'string', unique: true }] },
  // Wider than one jsonb_build_object call can take (50 pairs).
  { name: 'wide', table: 'wides', fields: Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, type: 'int' })) }
]
const RELATIONS = [{ name: 'parts', type: 'one_to_many', source: 'doc', target: 'part', target_key: 'doc_id', on_delete: 'cascade' }]

async function setup (t: Test, hooks: WriteHooks[] = []): Promise<WriteFixture> {
  return await writeFixture(t, { entities: ENTITIES, relations: RELATIONS }, { user: USER, hooks: [...hooks, auditModule().writeHooks as WriteHooks] })
}

async function auditRows (f: WriteFixture, entity = 'doc'): Promise<Row[]> {
  return await f.rows('SELECT record_id, action, changes, user_id FROM _audit_log WHERE entity = $1 ORDER BY at, id', [entity])
}

async function withAuditTable (f: WriteFixture): Promise<void> {
  await f.sql.unsafe(`CREATE TABLE _audit_log (id bigserial PRIMARY KEY, entity text NOT NULL, record_id text NOT NULL, action text NOT NULL,
    changes jsonb, user_id uuid, at timestamptz NOT NULL DEFAULT now())`)
}

t.test('the audit row is written by the row\'s statement, values as the API shows them', async (t) => {
  const f = await setup(t)
  await withAuditTable(f)
  const doc = f.entity('doc')
  const created = await createRecord(f.deps, doc, {
    title: 'A', amount: 12.5, big: '9007199254740993', due_on: '2026-01-02', sent_at: '2026-03-04T05:06:07.089Z', meta: { x: [1, null] }, done: true
  })
  const [row] = await auditRows(f)
  t.equal(row?.action, 'create')
  t.equal(row?.record_id, created.id)
  t.equal(row?.user_id, USER.id)
  t.same(row?.changes, {
    id: created.id, title: 'A', amount: '12.50', big: '9007199254740993', due_on: '2026-01-02', sent_at: '2026-03-04T05:06:07.089Z', meta: { x: [1, null] }, done: true
  }, 'decimal/bigint as strings, date as YYYY-MM-DD, timestamp as ISO UTC with ms, json as stored')
  t.notOk('created_at' in (row?.changes as Row), 'fields not written are not listed')
})

t.test('update audits only changed fields; an update changing nothing writes no audit row', async (t) => {
  const f = await setup(t)
  await withAuditTable(f)
  const doc = f.entity('doc')
  const created = await createRecord(f.deps, doc, { title: 'A', amount: '1.00', sent_at: '2026-03-04T05:06:07Z' })
  const updated = await updateRecord(f.deps, doc, String(created.id), { title: 'B', amount: 1, sent_at: '2026-03-04T05:06:07.000Z', meta: null })
  t.equal(updated.title, 'B')
  await updateRecord(f.deps, doc, String(created.id), { title: 'B' })
  const rows = await auditRows(f)
  t.equal(rows.length, 2, 'create + one update')
  t.same(rows[1]?.changes, { title: { old: 'A', new: 'B' } }, 'same value in another spelling is no change; null → null neither')
})

t.test('delete audits the whole previous row; soft and cascaded rows alike', async (t) => {
  const f = await setup(t)
  await withAuditTable(f)
  const doc = f.entity('doc')
  const created = await createRecord(f.deps, doc, { title: 'A', parts: [{ label: 'p1' }] })
  await deleteRecord(f.deps, doc, String(created.id))
  const [gone] = (await auditRows(f)).filter((r) => r.action === 'delete')
  t.equal(gone?.record_id, created.id)
  t.match(gone?.changes, { id: created.id, title: 'A', deleted_at: null }, 'the row before the delete')
  const parts = (await auditRows(f, 'part')).map((r) => r.action)
  t.same(parts, ['create', 'delete'], 'the cascaded child is audited too')
})

t.test('records wider than one jsonb_build_object call are audited whole', async (t) => {
  const f = await setup(t)
  await withAuditTable(f)
  const body = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, i]))
  await createRecord(f.deps, f.entity('wide'), body)
  const [row] = await auditRows(f, 'wide')
  t.equal(Object.keys(row?.changes as Row).length, 61, '60 fields + id')
  t.equal((row?.changes as Row).f59, 59)
})

t.test('an update no hook needs the old row of is one statement: old arrives with the row', async (t) => {
  const seen: Array<{ phase: string, old: Row | null }> = []
  const probe: WriteHooks = {
    name: 'probe',
    needsOld: () => false,
    beforeWrite: (node: WriteNode) => { if (node.action === 'update') seen.push({ phase: 'before', old: node.old }) },
    needsAfterRow: () => true,
    afterRow: (node: WriteNode) => { if (node.action === 'update') seen.push({ phase: 'row', old: node.old }) }
  }
  const f = await setup(t, [probe])
  await withAuditTable(f)
  const doc = f.entity('doc')
  const created = await createRecord(f.deps, doc, { title: 'A' })
  await updateRecord(f.deps, doc, String(created.id), { title: 'B' })
  t.equal(seen[0]?.old, null, 'beforeWrite does not see the row')
  t.match(seen[1]?.old, { id: created.id, title: 'A' }, 'afterRow sees the previous values from RETURNING old')

  await deleteRecord(f.deps, doc, String(created.id))
  const err = await failure(updateRecord(f.deps, doc, String(created.id), { title: 'C' }))
  t.match(err, { statusCode: 404, code: 'NOT_FOUND' }, 'a soft-deleted row is not found by the lone UPDATE')
  const missing = await failure(updateRecord(f.deps, doc, '5f0c3a1e-0000-4000-8000-000000000000', { title: 'C' }))
  t.match(missing, { statusCode: 404 })
  t.equal((await auditRows(f)).filter((r) => r.action === 'update').length, 1, 'failed updates leave no audit row')
})

t.test('a hook that needs the old row gets it before writing', async (t) => {
  let before: Row | null = null
  const probe: WriteHooks = { name: 'probe', needsOld: () => true, beforeWrite: (node: WriteNode) => { if (node.action === 'update') before = node.old } }
  const f = await setup(t, [probe])
  await withAuditTable(f)
  const doc = f.entity('doc')
  const created = await createRecord(f.deps, doc, { title: 'A' })
  await updateRecord(f.deps, doc, String(created.id), { title: 'B' })
  t.match(before, { id: created.id, title: 'A' })
})

t.test('a create remembers the children it wrote, in the order the request sent them', async (t) => {
  const f = await setup(t)
  await withAuditTable(f)
  const doc = f.entity('doc')
  const created = await createRecord(f.deps, doc, { title: 'A', parts: Array.from({ length: 8 }, (_, i) => ({ label: `p${i}` })) })
  const edge = doc.edges.get('parts')
  if (edge === undefined) throw new Error('no edge')
  const written = writtenRelation(created, edge, f.entity('part')) as Row[]
  const stored = await f.rows('SELECT id, doc_id, label FROM parts ORDER BY id')
  t.same(written.map((r) => r.label), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'], 'the order sent')
  t.same(written.map((r) => r.id).sort(), stored.map((r) => r.id).sort(), 'exactly the stored children')
  const updated = await updateRecord(f.deps, doc, String(created.id), { parts: [{ label: 'more' }] })
  t.equal(writtenRelation(updated, edge, f.entity('part')), undefined, 'an update does not: other children may exist')
})

t.test('siblings go in one multi-row INSERT; a failing one is still named by its index', async (t) => {
  const f = await setup(t)
  await withAuditTable(f)
  const doc = f.entity('doc')
  const created = await createRecord(f.deps, doc, { title: 'A', parts: [{ label: 'a' }, { label: 'b' }, { label: 'c' }] })
  t.same((await f.rows('SELECT label FROM parts ORDER BY label')).map((r) => r.label), ['a', 'b', 'c'])
  const parts = await auditRows(f, 'part')
  t.equal(parts.length, 3, 'one audit row per child')
  t.same(new Set(parts.map((r) => (r.changes as Row).label)), new Set(['a', 'b', 'c']))
  t.same(new Set(parts.map((r) => (r.changes as Row).doc_id)), new Set([created.id]), 'with the propagated FK')

  const clash = await failure(createRecord(f.deps, doc, { title: 'B', parts: [{ label: 'x' }, { label: 'y' }, { label: 'b' }, { label: 'z' }] }))
  t.match(clash, { statusCode: 409, code: 'CONFLICT' })
  t.match(clash.details?.[0], { relation: 'parts', index: 2, field: 'parts[2].label' }, 'a clash with a stored row names its child')
  const twice = await failure(createRecord(f.deps, doc, { title: 'C', parts: [{ label: 'q' }, { label: 'r' }, { label: 'q' }] }))
  t.match(twice.details?.[0], { relation: 'parts', index: 2 }, 'a clash between siblings names the second one')
  t.equal((await f.rows('SELECT id FROM docs')).length, 1, 'failed units leave nothing behind')
  t.equal((await f.rows('SELECT id FROM parts')).length, 3)
  t.equal((await auditRows(f, 'part')).length, 3)

  const mixed = await createRecord(f.deps, doc, { title: 'D', parts: [{ label: 'm1' }, {}, { label: 'm3' }] })
  t.equal((await f.rows('SELECT id FROM parts WHERE doc_id = $1', [String(mixed.id)])).length, 3, 'children writing different fields are inserted one by one')
})

t.test('a unit is run again after a failed multi-row INSERT only when that does nothing outside the database', async (t) => {
  let calls = 0
  let outside = false
  const counter: WriteHooks = { name: 'counter', beforeWrite: () => { calls++ }, needsOld: () => false, sideEffects: () => outside }
  const f = await setup(t, [counter])
  await withAuditTable(f)
  const doc = f.entity('doc')
  await createRecord(f.deps, doc, { title: 'A', parts: [{ label: 'taken' }] })
  const clash = { title: 'B', parts: [{ label: 'n1' }, { label: 'taken' }] }

  calls = 0
  t.match(await failure(createRecord(f.deps, doc, clash)), { details: [{ index: 1 }] })
  t.equal(calls, 6, 'batched, failed, planned and run again one INSERT per child: hooks ran twice for 3 records')

  calls = 0
  outside = true
  t.match(await failure(createRecord(f.deps, doc, clash)), { details: [{ index: 1 }] })
  t.equal(calls, 3, 'with a side effect (a synchronous webhook) the unit is not batched, so it runs once')
})
