import t, { type Test } from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Tap = Pick<Test, 'equal'>
type Row = Record<string, unknown>

/** project 1—n task (cascade), project 1—n secret (cascade). */
async function schema (t: Tap, a: TestApp): Promise<void> {
  const defs = [
    { name: 'project', table: 'projects', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true }, { name: 'owner_id', type: 'uuid' }, { name: 'status', type: 'string', default: 'open' }, { name: 'public', type: 'boolean', default: false }] },
    { name: 'task', table: 'tasks', fields: [{ name: 'id', type: 'uuid' }, { name: 'project_id', type: 'uuid' }, { name: 'title', type: 'string' }] },
    { name: 'secret', table: 'secrets', fields: [{ name: 'id', type: 'uuid' }, { name: 'project_id', type: 'uuid' }, { name: 'code', type: 'string' }] }
  ]
  for (const d of defs) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: d })).statusCode, 201)
  for (const r of [
    { name: 'tasks', type: 'one_to_many', source: 'project', target: 'task', source_key: 'id', target_key: 'project_id', on_delete: 'cascade', inverse_name: 'project' },
    { name: 'secrets', type: 'one_to_many', source: 'project', target: 'secret', source_key: 'id', target_key: 'project_id', on_delete: 'cascade', inverse_name: 'project' }
  ]) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: r })).statusCode, 201)
}

/** Creates a user through the admin API and logs them in. */
async function userToken (a: TestApp, email: string, roles: string[]): Promise<{ id: string, token: string }> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return { id: created.json().data.id, token: login.json().data.access_token }
}

async function policy (a: TestApp, p: Row): Promise<string> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: p })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data.id
}

async function make (a: TestApp, entity: string, payload: Row): Promise<Row> {
  const res = await a.as(a.admin, { method: 'POST', url: `/${entity}`, payload })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

t.test('permission policy CRUD and validation', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'project', action: 'read', roles: ['member'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] } })
  t.equal(created.statusCode, 201, created.body)
  const p = created.json().data
  t.match(p, { entity: 'project', action: 'read', roles: ['member'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })
  await policy(a, { entity: 'task', action: 'read', roles: ['member'] })
  t.equal((await a.as(a.admin, { url: '/_admin/permissions' })).json().data.length, 2)
  t.same((await a.as(a.admin, { url: '/_admin/permissions?entity=task' })).json().data.map((r: Row) => r.entity), ['task'])
  t.equal((await a.as(a.admin, { url: `/_admin/permissions/${String(p.id)}` })).json().data.id, p.id)
  const put = await a.as(a.admin, { method: 'PUT', url: `/_admin/permissions/${String(p.id)}`, payload: { roles: ['member', 'lead'] } })
  t.equal(put.statusCode, 200, put.body)
  t.same(put.json().data.roles, ['member', 'lead'])
  t.equal(put.json().data.conditions.length, 1, 'PUT merges over the stored policy')
  const bad = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'project', action: 'read', roles: ['x'], conditions: [{ field: 'nmae', operator: 'eq', value: 'a' }, { field: 'public', operator: 'gt', value: true }] } })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.same(bad.json().error.details.map((d: Row) => d.field), ['conditions[0].field', 'conditions[1].operator'])
  t.match(bad.json().error.details[0].message, /did you mean 'name'/)
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'projekt', action: 'read', roles: ['x'] } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'project', action: 'publish', roles: ['x'] } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/permissions/${String(p.id)}`, payload: { roles: 'member' } }), 422, 'VALIDATION_FAILED')
  const del = await a.as(a.admin, { method: 'DELETE', url: `/_admin/permissions/${String(p.id)}` })
  t.same(del.json(), { data: { id: p.id } })
  expectError(t, await a.as(a.admin, { url: `/_admin/permissions/${String(p.id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: '/_admin/permissions/not-a-uuid' }), 404, 'NOT_FOUND')
  const member = await userToken(a, 'member@example.test', ['member'])
  expectError(t, await a.as(member.token, { url: '/_admin/permissions' }), 403, 'FORBIDDEN')
})

t.test('whitelist: no matching policy is 403; admin and platform tokens bypass', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  await make(a, 'project', { name: 'P' })
  const guest = await userToken(a, 'guest@example.test', ['guest'])
  const viewer = await userToken(a, 'viewer@example.test', ['viewer'])
  expectError(t, await a.as(viewer.token, { url: '/project' }), 403, 'FORBIDDEN')
  await policy(a, { entity: 'project', action: 'read', roles: ['viewer', 'auditor'] })
  const list = await a.as(viewer.token, { url: '/project' })
  t.equal(list.statusCode, 200, 'a new policy applies at once')
  t.equal(list.json().meta.total, 1)
  expectError(t, await a.as(guest.token, { url: '/project' }), 403, 'FORBIDDEN')
  expectError(t, await a.as(guest.token, { url: `/project/${String(list.json().data[0].id)}` }), 403, 'FORBIDDEN')
  expectError(t, await a.as(viewer.token, { method: 'POST', url: '/project', payload: { name: 'x' } }), 403, 'FORBIDDEN')
  expectError(t, await a.as(viewer.token, { method: 'POST', url: '/project', payload: { nope: 1 } }), 403, 'FORBIDDEN')
  expectError(t, await a.as(viewer.token, { method: 'DELETE', url: `/project/${String(list.json().data[0].id)}` }), 403, 'FORBIDDEN')
  t.equal((await a.as(a.admin, { method: 'POST', url: '/project', payload: { name: 'by admin' } })).statusCode, 201, 'admin role bypasses')
  t.equal((await a.as(a.platform, { url: '/project' })).json().meta.total, 2, 'platform token bypasses')
})

t.test('row-level read security: list, count, get, includes', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const alice = await userToken(a, 'alice@example.test', ['member'])
  const bob = await userToken(a, 'bob@example.test', ['member'])
  await policy(a, { entity: 'project', action: 'read', roles: ['member'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })
  await policy(a, { entity: 'project', action: 'read', roles: ['member'], conditions: [{ field: 'public', operator: 'eq', value: true }, { field: 'status', operator: 'neq', value: 'archived' }] })
  await policy(a, { entity: 'task', action: 'read', roles: ['member'] })
  const p1 = await make(a, 'project', { name: 'alice-1', owner_id: alice.id, tasks: { data: [{ title: 't1' }] }, secrets: { data: [{ code: 's1' }] } })
  const p2 = await make(a, 'project', { name: 'bob-1', owner_id: bob.id, tasks: { data: [{ title: 't2' }] } })
  await make(a, 'project', { name: 'bob-public', owner_id: bob.id, public: true })
  await make(a, 'project', { name: 'bob-archived', owner_id: bob.id, public: true, status: 'archived' })
  const names = (res: { json: () => { data: Row[] } }): unknown[] => res.json().data.map((r) => r.name)

  const list = await a.as(alice.token, { url: '/project?sort=name' })
  t.same(names(list), ['alice-1', 'bob-public'], 'own rows OR public non-archived rows')
  t.equal(list.json().meta.total, 2, 'meta.total counts with the permission filter')
  const page = await a.as(alice.token, { url: '/project?sort=name&per_page=1&page=2' })
  t.same(names(page), ['bob-public'])
  t.equal(page.json().meta.total, 2)
  t.same(names(await a.as(alice.token, { url: '/project?filter[name]=bob-1' })), [], 'a filter cannot widen what policies allow')
  t.same(names(await a.as(bob.token, { url: '/project?sort=name' })), ['bob-1', 'bob-archived', 'bob-public'], "bob sees his own rows, not alice's")

  expectError(t, await a.as(alice.token, { url: `/project/${String(p2.id)}` }), 404, 'NOT_FOUND')
  t.equal((await a.as(alice.token, { url: `/project/${String(p1.id)}` })).statusCode, 200)

  const withInc = await a.as(alice.token, { url: `/project/${String(p1.id)}?include=tasks,secrets` })
  t.equal(withInc.json().data.tasks.length, 1, 'tasks are readable')
  t.same(withInc.json().data.secrets, [], 'an entity without a read policy is hidden in includes')
  const adminInc = await a.as(a.admin, { url: `/project/${String(p1.id)}?include=secrets` })
  t.equal(adminInc.json().data.secrets.length, 1)
  const tasks = await a.as(alice.token, { url: '/task?include=project&sort=title' })
  t.same(tasks.json().data.map((r: Row) => [r.title, (r.project as Row | null)?.name ?? null]), [['t1', 'alice-1'], ['t2', null]], 'a related row the user may not read is never leaked')
  expectError(t, await a.as(alice.token, { url: '/secret' }), 403, 'FORBIDDEN')
})

t.test('row-level write security: create, update, delete, nested', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const alice = await userToken(a, 'alice@example.test', ['member'])
  const bob = await userToken(a, 'bob@example.test', ['member'])
  const mine = [{ field: 'owner_id', operator: 'eq', value: '$user.id' }]
  await policy(a, { entity: 'project', action: 'read', roles: ['member'], conditions: mine })
  await policy(a, { entity: 'project', action: 'read', roles: ['member'], conditions: [{ field: 'public', operator: 'eq', value: true }] })
  await policy(a, { entity: 'project', action: 'create', roles: ['member'], conditions: mine })
  await policy(a, { entity: 'project', action: 'update', roles: ['member'], conditions: [...mine, { field: 'status', operator: 'neq', value: 'locked' }] })
  await policy(a, { entity: 'project', action: 'delete', roles: ['member'], conditions: mine })
  await policy(a, { entity: 'task', action: 'create', roles: ['member'] })
  await policy(a, { entity: 'task', action: 'read', roles: ['member'] })

  const own = await a.as(alice.token, { method: 'POST', url: '/project', payload: { name: 'mine', owner_id: alice.id, tasks: { data: [{ title: 'a' }] } } })
  t.equal(own.statusCode, 201, own.body)
  t.equal(own.json().data.tasks.length, 1, 'nested child with its own create policy')
  const p1 = own.json().data
  const forged = await a.as(alice.token, { method: 'POST', url: '/project', payload: { name: 'forged', owner_id: bob.id } })
  expectError(t, forged, 403, 'FORBIDDEN')
  const nested = await a.as(alice.token, { method: 'POST', url: '/project', payload: { name: 'n', owner_id: alice.id, secrets: { data: [{ code: 'x' }] } } })
  expectError(t, nested, 403, 'FORBIDDEN')
  t.equal(nested.json().error.details[0].field, 'secrets[0]', 'the refused nested record is named')
  t.equal((await a.as(a.admin, { url: '/project' })).json().meta.total, 1, 'refused writes left nothing behind')

  const p2 = await make(a, 'project', { name: 'bob-private', owner_id: bob.id })
  const p3 = await make(a, 'project', { name: 'bob-public', owner_id: bob.id, public: true })
  t.equal((await a.as(alice.token, { method: 'PUT', url: `/project/${String(p1.id)}`, payload: { name: 'renamed' } })).statusCode, 200)
  expectError(t, await a.as(alice.token, { method: 'PUT', url: `/project/${String(p3.id)}`, payload: { name: 'x' } }), 403, 'FORBIDDEN')
  expectError(t, await a.as(alice.token, { method: 'PUT', url: `/project/${String(p2.id)}`, payload: { name: 'x' } }), 404, 'NOT_FOUND')
  await a.as(a.admin, { method: 'PUT', url: `/project/${String(p1.id)}`, payload: { status: 'locked' } })
  expectError(t, await a.as(alice.token, { method: 'PUT', url: `/project/${String(p1.id)}`, payload: { name: 'y' } }), 403, 'FORBIDDEN')
  t.equal((await a.as(a.admin, { url: `/project/${String(p1.id)}` })).json().data.name, 'renamed', 'the refused update changed nothing')
  expectError(t, await a.as(alice.token, { method: 'DELETE', url: `/project/${String(p2.id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(alice.token, { method: 'DELETE', url: `/project/${String(p3.id)}` }), 403, 'FORBIDDEN')
  const gone = await a.as(alice.token, { method: 'DELETE', url: `/project/${String(p1.id)}` })
  t.equal(gone.statusCode, 200, 'cascaded children follow the relation policy (no task delete policy needed)')
  t.equal((await a.as(a.admin, { url: '/task' })).json().meta.total, 0)
})

t.test('write without read: the answer carries only the key', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const writer = await userToken(a, 'writer@example.test', ['writer'])
  await policy(a, { entity: 'task', action: 'create', roles: ['writer'] })
  const res = await a.as(writer.token, { method: 'POST', url: '/task', payload: { title: 'drop box' } })
  t.equal(res.statusCode, 201, res.body)
  t.same(Object.keys(res.json().data), ['id'])
  expectError(t, await a.as(writer.token, { url: '/task' }), 403, 'FORBIDDEN')
})
