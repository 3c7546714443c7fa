// Issue 16 finding 6 (a write's response obeys the row-level read grant) and issue 13 point 10
// (update conditions hold on the current row AND on the row after the change; create
// conditions on the row as created). docs/security.md, "Write permissions" / "Write responses".
import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, any>

async function userToken (a: TestApp, email: string, roles: string[]): Promise<{ id: string, token: string }> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return { id: created.json().data.id, token: login.json().data.access_token }
}

async function adminPost (a: TestApp, url: string, payload: Row): Promise<Row> {
  const res = await a.as(a.admin, { method: 'POST', url, payload })
  if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`)
  return res.json().data
}

t.test('the ticket scenario: an update answers only the PK of a row the writer may not read', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'tickets')
  await adminPost(a, '/_admin/entities', {
    name: 'ticket',
    table: 'tickets',
    fields: [
      { name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }, { name: 'status', type: 'string', default: 'open' },
      { name: 'owner_id', type: 'uuid' }, { name: 'secret_note', type: 'text' }
    ]
  })
  await adminPost(a, '/_admin/entities', { name: 'comment', table: 'comments', fields: [{ name: 'id', type: 'uuid' }, { name: 'ticket_id', type: 'uuid' }, { name: 'body', type: 'string' }] })
  await adminPost(a, '/_admin/relations', { name: 'comments', type: 'one_to_many', source: 'ticket', target: 'comment', source_key: 'id', target_key: 'ticket_id', on_delete: 'cascade' })
  const agent = await userToken(a, 'agent@example.test', ['agent'])
  const other = await userToken(a, 'other@example.test', ['agent'])
  // May update any open ticket, read only their own; may create tickets and comments.
  await adminPost(a, '/_admin/permissions', { entity: 'ticket', action: 'update', roles: ['agent'], conditions: [{ field: 'status', operator: 'eq', value: 'open' }] })
  await adminPost(a, '/_admin/permissions', { entity: 'ticket', action: 'read', roles: ['agent'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })
  await adminPost(a, '/_admin/permissions', { entity: 'ticket', action: 'create', roles: ['agent'] })
  await adminPost(a, '/_admin/permissions', { entity: 'comment', action: 'create', roles: ['agent'] })
  await adminPost(a, '/_admin/permissions', { entity: 'comment', action: 'read', roles: ['agent'] })

  const theirs = await adminPost(a, '/ticket', { title: 'theirs', owner_id: other.id, secret_note: 'the other customer\'s password is hunter2' })
  const mine = await adminPost(a, '/ticket', { title: 'mine', owner_id: agent.id, secret_note: 'my note' })

  expectError(t, await a.as(agent.token, { url: `/ticket/${String(theirs.id)}` }), 404, 'NOT_FOUND')
  const put = await a.as(agent.token, { method: 'PUT', url: `/ticket/${String(theirs.id)}`, payload: {} })
  t.equal(put.statusCode, 200, 'the update is allowed (status open)')
  t.same(put.json(), { data: { id: theirs.id } }, 'but the answer is the primary key only')
  t.notOk(put.body.includes('hunter2'), 'no secret_note')
  const retitled = await a.as(agent.token, { method: 'PUT', url: `/ticket/${String(theirs.id)}`, payload: { title: 'renamed' } })
  t.same(retitled.json(), { data: { id: theirs.id } })
  t.equal((await a.as(a.admin, { url: `/ticket/${String(theirs.id)}` })).json().data.title, 'renamed', 'the update was written')

  const own = await a.as(agent.token, { method: 'PUT', url: `/ticket/${String(mine.id)}`, payload: { title: 'mine, edited' } })
  t.equal(own.statusCode, 200)
  t.match(own.json().data, { id: mine.id, title: 'mine, edited', secret_note: 'my note', owner_id: agent.id }, 'a readable row is answered whole')

  // Create (nested too): the new row for someone else is answered with its PK only, children included.
  const created = await a.as(agent.token, { method: 'POST', url: '/ticket', payload: { title: 'for other', owner_id: other.id, secret_note: 'x', comments: [{ body: 'first' }] } })
  t.equal(created.statusCode, 201, created.body)
  t.same(Object.keys(created.json().data), ['id'], 'create: PK only')
  const stored = (await a.as(a.admin, { url: `/ticket/${String(created.json().data.id)}?include=comments` })).json().data
  t.equal(stored.comments.length, 1, 'the nested child was written')
  const ownCreated = await a.as(agent.token, { method: 'POST', url: '/ticket', payload: { title: 'for me', owner_id: agent.id, comments: [{ body: 'hello' }] } })
  t.equal(ownCreated.statusCode, 201)
  t.match(ownCreated.json().data, { title: 'for me', owner_id: agent.id, comments: [{ body: 'hello' }] }, 'an own nested create is answered whole')

  // Moving a readable row out of the read grant is allowed by these policies: the answer follows the row.
  const givenAway = await a.as(agent.token, { method: 'PUT', url: `/ticket/${String(mine.id)}`, payload: { owner_id: other.id } })
  t.equal(givenAway.statusCode, 200)
  t.same(givenAway.json(), { data: { id: mine.id } }, 'the row as written is no longer readable: PK only')
})

t.test('13.10: an update cannot move a row out of the writer\'s update grant', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'loans')
  await adminPost(a, '/_admin/entities', {
    name: 'loan',
    table: 'loans',
    fields: [{ name: 'id', type: 'uuid' }, { name: 'book', type: 'string' }, { name: 'borrower_email', type: 'string' }, { name: 'status', type: 'string', default: 'open' }]
  })
  const alice = await userToken(a, 'alice@example.test', ['member'])
  await adminPost(a, '/_admin/permissions', { entity: 'loan', action: 'update', roles: ['member'], conditions: [{ field: 'borrower_email', operator: 'eq', value: '$user.email' }] })
  await adminPost(a, '/_admin/permissions', { entity: 'loan', action: 'read', roles: ['member'], conditions: [{ field: 'borrower_email', operator: 'eq', value: '$user.email' }] })
  await adminPost(a, '/_admin/permissions', {
    entity: 'loan',
    action: 'create',
    roles: ['member'],
    conditions: [{ field: 'borrower_email', operator: 'eq', value: '$user.email' }, { field: 'status', operator: 'eq', value: 'open' }]
  })
  const loan = await adminPost(a, '/loan', { book: 'Dune', borrower_email: 'alice@example.test' })

  const moved = await a.as(alice.token, { method: 'PUT', url: `/loan/${String(loan.id)}`, payload: { borrower_email: 'someone-else@example.test', book: 'Emma' } })
  expectError(t, moved, 403, 'FORBIDDEN')
  t.match(moved.json().error.message, /no longer meet your update conditions/)
  const after = (await a.as(a.admin, { url: `/loan/${String(loan.id)}` })).json().data
  t.match(after, { borrower_email: 'alice@example.test', book: 'Dune' }, 'nothing was written')
  const audit = await a.as(a.admin, { url: '/_admin/audit?entity=loan' })
  t.equal(audit.statusCode, 200)
  t.equal(audit.json().data.filter((e: Row) => e.action === 'update').length, 0, 'no audit entry for the refused update')

  const permitted = await a.as(alice.token, { method: 'PUT', url: `/loan/${String(loan.id)}`, payload: { book: 'Emma', borrower_email: 'ALICE@example.test'.toLowerCase() } })
  t.equal(permitted.statusCode, 200, permitted.body)
  t.match(permitted.json().data, { id: loan.id, book: 'Emma', borrower_email: 'alice@example.test' })

  // Create conditions hold for the row as created, defaults included.
  const ok = await a.as(alice.token, { method: 'POST', url: '/loan', payload: { book: 'Ulysses', borrower_email: 'alice@example.test' } })
  t.equal(ok.statusCode, 201, ok.body)
  t.equal(ok.json().data.status, 'open')
  expectError(t, await a.as(alice.token, { method: 'POST', url: '/loan', payload: { book: 'Ulysses', borrower_email: 'bob@example.test' } }), 403, 'FORBIDDEN')
  expectError(t, await a.as(alice.token, { method: 'POST', url: '/loan', payload: { book: 'Ulysses', borrower_email: 'alice@example.test', status: 'closed' } }), 403, 'FORBIDDEN')
  t.equal((await a.as(a.admin, { url: '/loan' })).json().meta.total, 2, 'refused creates wrote nothing')
})

t.test('13.10: the check sees the row as written, after computed rules', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'docs')
  await adminPost(a, '/_admin/entities', {
    name: 'doc',
    table: 'docs',
    fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }, { name: 'level', type: 'int', default: 1 }]
  })
  // An admin's rule escalates a doc whose title mentions "secret": editors may only touch level 1.
  await adminPost(a, '/_admin/rules', { entity: 'doc', hook: 'before_write', type: 'computed', definition: { field: 'level', expression: 'contains(lower(record.title), "secret") ? 3 : record.level' } })
  const editor = await userToken(a, 'ed@example.test', ['editor'])
  for (const action of ['update', 'read', 'create']) {
    await adminPost(a, '/_admin/permissions', { entity: 'doc', action, roles: ['editor'], conditions: [{ field: 'level', operator: 'eq', value: 1 }] })
  }
  const doc = await adminPost(a, '/doc', { title: 'plain' })
  const escalated = await a.as(editor.token, { method: 'PUT', url: `/doc/${String(doc.id)}`, payload: { title: 'Top SECRET plans' } })
  expectError(t, escalated, 403, 'FORBIDDEN')
  t.equal((await a.as(a.admin, { url: `/doc/${String(doc.id)}` })).json().data.title, 'plain', 'rolled back')
  expectError(t, await a.as(editor.token, { method: 'POST', url: '/doc', payload: { title: 'secret' } }), 403, 'FORBIDDEN')
  const fine = await a.as(editor.token, { method: 'PUT', url: `/doc/${String(doc.id)}`, payload: { title: 'still plain' } })
  t.equal(fine.statusCode, 200)
  t.match(fine.json().data, { title: 'still plain', level: 1 })
})
