import t from 'tap'
import type { Test } from 'tap'
import { createRecord, deleteRecord, updateRecord } from '../../lib/write/index.js'
import { stopTestServer } from '../db-helper.js'
import { failure } from '../fixtures/failure.js'
import { writeFixture, type WriteFixture } from '../fixtures/schema-database.js'

t.teardown(stopTestServer)

const named = (name: string, table: string, extra: Record<string, unknown> = {}, fields: unknown[] = []): Record<string, unknown> =>
  ({ name, table, fields: [{ name: 'name', type: 'string', required: true }, ...fields], ...extra })

const ENTITIES = [
  named('department', 'departments'),
  named('employee', 'employees', { soft_delete: true }, [{ name: 'department_id', type: 'uuid' }, { name: 'manager_id', type: 'uuid' }]),
  named('leave', 'leaves', { soft_delete: true }, [{ name: 'employee_id', type: 'uuid', required: true }]),
  named('document', 'documents', {}, [{ name: 'employee_id', type: 'uuid', required: true }]),
  named('page', 'pages', {}, [{ name: 'document_id', type: 'uuid', required: true }]),
  named('customer', 'customers'),
  named('order', 'orders', { soft_delete: true }, [{ name: 'customer_id', type: 'uuid' }]),
  // int keys on both sides: validateRelationDef requires matching key types even for many_to_many.
  named('post', 'posts', { soft_delete: true, slug: { field: 'slug', source: 'name' }, primary_key: { field: 'id', type: 'int' } }, [{ name: 'id', type: 'int' }, { name: 'slug', type: 'string', unique: true }]),
  { name: 'tag', table: 'tags', primary_key: { field: 'id', type: 'int' }, fields: [{ name: 'id', type: 'int' }, { name: 'label', type: 'string' }] },
  named('project', 'projects'),
  named('task', 'tasks', { soft_delete: true }, [{ name: 'project_id', type: 'uuid', required: true }]),
  named('member', 'members')
]

const rel = (name: string, source: string, target: string, extra: Record<string, unknown>): Record<string, unknown> =>
  ({ name, type: 'one_to_many', source, target, target_key: `${source}_id`, ...extra })

const RELATIONS = [
  rel('employees', 'department', 'employee', { on_delete: 'set_null', inverse_name: 'department' }),
  rel('reports', 'employee', 'employee', { target_key: 'manager_id', on_delete: 'set_null', inverse_name: 'manager' }),
  rel('leaves', 'employee', 'leave', { on_delete: 'cascade', inverse_name: 'employee' }),
  rel('documents', 'employee', 'document', { on_delete: 'cascade', inverse_name: 'employee' }),
  rel('pages', 'document', 'page', { on_delete: 'cascade', inverse_name: 'document' }),
  rel('orders', 'customer', 'order', { on_delete: 'restrict', inverse_name: 'customer' }),
  rel('tasks', 'project', 'task', { on_delete: 'cascade', inverse_name: 'project' }),
  { name: 'tags', type: 'many_to_many', source: 'post', target: 'tag', join_table: 'post_tags', inverse_name: 'posts' },
  { name: 'members', type: 'many_to_many', source: 'project', target: 'member', join_table: 'project_members', on_delete: 'restrict', inverse_name: 'projects' }
]

interface Fixture extends WriteFixture {
  /** Creates a record through the write path and returns its id. */
  create: (entity: string, body: Record<string, unknown>) => Promise<string>
}

async function setup (t: Test): Promise<Fixture> {
  const f = await writeFixture(t, { entities: ENTITIES, relations: RELATIONS })
  return { ...f, create: async (name, body) => String((await createRecord(f.deps, f.entity(name), body)).id) }
}

async function seedTags (f: Fixture): Promise<void> {
  for (const id of [1, 2, 3]) await createRecord(f.deps, f.entity('tag'), { id, label: `t${id}` })
}

async function linked (f: Fixture, post: string): Promise<number[]> {
  const rows = await f.rows('SELECT tag_id FROM post_tags WHERE post_id = $1 ORDER BY tag_id', [post])
  return rows.map((r) => Number(r.tag_id))
}

t.test('many_to_many: diff, replace, append touch only join rows', async (t) => {
  const f = await setup(t)
  await seedTags(f)
  const post = await f.create('post', { name: 'P', tags: [{ id: 1 }, { id: 2, label: 'ignored' }] })
  t.same(await linked(f, post), [1, 2])
  await updateRecord(f.deps, f.entity('post'), post, { tags: { _write_mode: 'diff', data: [{ id: 3 }, { id: 1, _delete: true }] } })
  t.same(await linked(f, post), [2, 3])
  await updateRecord(f.deps, f.entity('post'), post, { tags: { _write_mode: 'replace', data: [1] } })
  t.same(await linked(f, post), [1])
  await updateRecord(f.deps, f.entity('post'), post, { tags: { _write_mode: 'append', data: [{ id: 2 }, { id: 1, _delete: true }, 2] } })
  t.same(await linked(f, post), [1, 2])
  await updateRecord(f.deps, f.entity('post'), post, { tags: { _write_mode: 'replace', data: [] } })
  t.same(await linked(f, post), [])
  t.same((await f.rows('SELECT label FROM tags ORDER BY id')).map((r) => r.label), ['t1', 't2', 't3'], 'targets untouched')

  const err = await failure(updateRecord(f.deps, f.entity('post'), post, { name: 'renamed', tags: [{ id: 1 }, { id: 99 }] }))
  t.equal(err.statusCode, 422)
  t.match(err.details, [{ relation: 'tags', index: 1, field: 'tags[1].id', rule: 'exists' }])
  t.same(await linked(f, post), [], 'rolled back')
  t.equal((await f.rows('SELECT name FROM posts'))[0]?.name, 'P')
  const bad = await failure(updateRecord(f.deps, f.entity('post'), post, { tags: [{ label: 'no id' }, 'x'] }))
  t.match(bad.details, [{ relation: 'tags', index: 0, rule: 'required' }, { relation: 'tags', index: 1, rule: 'type' }])

  // The inverse side writes the same join table.
  await updateRecord(f.deps, f.entity('tag'), '3', { posts: [{ id: post }] })
  t.same(await linked(f, post), [3])
})

t.test('soft delete: deleted_at set, join rows detached, 404 afterwards', async (t) => {
  const f = await setup(t)
  await seedTags(f)
  const post = await f.create('post', { name: 'Hello', tags: [1, 2] })
  t.same(await deleteRecord(f.deps, f.entity('post'), 'hello'), { id: post }, 'delete by slug')
  const row = await f.rows('SELECT deleted_at FROM posts WHERE id = $1', [post])
  t.ok(row[0]?.deleted_at instanceof Date)
  t.same(await linked(f, post), [])
  t.equal((await f.rows('SELECT id FROM tags')).length, 3)
  t.equal((await failure(deleteRecord(f.deps, f.entity('post'), post))).statusCode, 404)
  t.equal((await failure(deleteRecord(f.deps, f.entity('post'), 'nope'))).code, 'NOT_FOUND')
  await deleteRecord(f.deps, f.entity('tag'), '1')
  t.same((await f.rows('SELECT id FROM tags ORDER BY id')).map((r) => r.id), [2, 3], 'hard delete')
})

t.test('cascade follows each child entity; set_null clears FKs', async (t) => {
  const f = await setup(t)
  const boss = await f.create('employee', {
    name: 'Boss',
    leaves: [{ name: 'l1' }, { name: 'l2' }],
    documents: [{ name: 'd1', pages: [{ name: 'p1' }, { name: 'p2' }] }]
  })
  const worker = await f.create('employee', { name: 'Worker', manager_id: boss })
  await deleteRecord(f.deps, f.entity('employee'), boss)
  const leaves = await f.rows('SELECT deleted_at FROM leaves')
  t.equal(leaves.length, 2, 'soft-delete children stay as rows')
  t.ok(leaves.every((l) => l.deleted_at instanceof Date))
  t.same(await f.rows('SELECT id FROM documents'), [], 'hard children deleted')
  t.same(await f.rows('SELECT id FROM pages'), [], 'grandchildren deleted')
  t.equal((await f.rows('SELECT manager_id FROM employees WHERE id = $1', [worker]))[0]?.manager_id, null, 'self relation set_null')
  t.ok((await f.rows('SELECT deleted_at FROM employees WHERE id = $1', [boss]))[0]?.deleted_at instanceof Date)

  const dept = await f.create('department', { name: 'D', employees: [{ name: 'e1' }, { name: 'e2' }] })
  const e2 = (await f.rows("SELECT id FROM employees WHERE name = 'e2'"))[0]?.id
  await deleteRecord(f.deps, f.entity('employee'), String(e2))
  await deleteRecord(f.deps, f.entity('department'), dept)
  t.same(await f.rows('SELECT id FROM departments'), [])
  const emps = await f.rows("SELECT department_id FROM employees WHERE name IN ('e1', 'e2')")
  t.same(emps, [{ department_id: null }, { department_id: null }], 'live and soft-deleted children released from a hard-deleted parent')
})

t.test('restrict: 409 naming the relation while live children exist', async (t) => {
  const f = await setup(t)
  const customer = await f.create('customer', { name: 'C', orders: [{ name: 'o1' }] })
  const err = await failure(deleteRecord(f.deps, f.entity('customer'), customer))
  t.equal(err.statusCode, 409)
  t.equal(err.code, 'CONFLICT')
  t.match(err.message, /orders/)
  t.match(err.details, [{ relation: 'orders', rule: 'restrict' }])
  t.equal((await f.rows('SELECT id FROM customers')).length, 1)
  const order = (await f.rows('SELECT id FROM orders'))[0]?.id
  await deleteRecord(f.deps, f.entity('order'), String(order))
  await deleteRecord(f.deps, f.entity('customer'), customer)
  t.same(await f.rows('SELECT id FROM customers'), [])
  t.same(await f.rows('SELECT id FROM orders'), [], 'trashed children of a hard-deleted parent are purged')
})

t.test('hard parent cascades physically into soft-delete children', async (t) => {
  const f = await setup(t)
  const project = await f.create('project', { name: 'P', tasks: [{ name: 't1' }, { name: 't2' }] })
  const t1 = (await f.rows("SELECT id FROM tasks WHERE name = 't1'"))[0]?.id
  await deleteRecord(f.deps, f.entity('task'), String(t1))
  await deleteRecord(f.deps, f.entity('project'), project)
  t.same(await f.rows('SELECT id FROM projects'), [])
  t.same(await f.rows('SELECT id FROM tasks'), [])
})

t.test('many_to_many restrict refuses while linked; detach from the target side', async (t) => {
  const f = await setup(t)
  const member = await f.create('member', { name: 'm' })
  const project = await f.create('project', { name: 'P', members: [{ id: member }] })
  const err = await failure(deleteRecord(f.deps, f.entity('project'), project))
  t.equal(err.statusCode, 409)
  t.match(err.details, [{ relation: 'members' }])
  await deleteRecord(f.deps, f.entity('member'), member)
  t.same(await f.rows('SELECT * FROM members'), [], 'target side detaches')
  await deleteRecord(f.deps, f.entity('project'), project)
  t.same(await f.rows('SELECT id FROM projects'), [])
})

t.test('nested _delete and replace apply the child delete policies', async (t) => {
  const f = await setup(t)
  const emp = await f.create('employee', { name: 'E', documents: [{ name: 'd1', pages: [{ name: 'p' }] }, { name: 'd2' }], leaves: [{ name: 'l' }] })
  const d1 = (await f.rows("SELECT id FROM documents WHERE name = 'd1'"))[0]?.id
  await updateRecord(f.deps, f.entity('employee'), emp, { documents: [{ id: d1, _delete: true }], leaves: { _write_mode: 'replace', data: [] } })
  t.same((await f.rows('SELECT name FROM documents')).map((d) => d.name), ['d2'])
  t.same(await f.rows('SELECT id FROM pages'), [], 'cascade from a nested delete')
  const leave = await f.rows('SELECT deleted_at FROM leaves')
  t.ok(leave[0]?.deleted_at instanceof Date, 'replace soft-deletes a soft-delete child')
})
