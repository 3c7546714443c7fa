// `sample_data._users` rows create app users on import (docs/ARCHITECTURE.md, Export / import):
// bcrypt-hashed passwords, roles (or the seeds' `role`), existing emails skipped and reported.
import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { loadExample } from '../fixtures/examples.js'
import { importDoc, KINDS, type Doc } from '../fixtures/schema-import.js'
import { appContext } from './business-fixtures.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

const USERS = [
  { email: ' Ann@Example.test ', password: 'ann-secret-1', roles: ['editor', 'viewer'] },
  { email: 'bob@example.test', password: 'bob-secret-1', role: 'hr' },
  { email: 'ADMIN@localhost', password: 'other-pass-1', roles: ['admin'] },
  { email: 'not-an-email', password: 'whatever-1' },
  { email: 'carl@example.test', password: 'short' },
  { email: 'dora@example.test', password: 'dora-secret-1', role: 'a', roles: ['b'] },
  { email: 'eve@example.test', password: 'eve-secret-1', roles: ['x'], nickname: 'e' },
  'just a string'
]

async function login (a: TestApp, email: string, password: string): Promise<Json> {
  return (await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password } })).json()
}

t.test('sample users are created with hashed passwords and their roles; existing emails skipped and reported', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'users')
  const first = await importDoc(t, a, { version: 1, sample_data: { _users: USERS } })
  const report = first.sample_data?._users as Json
  t.match(report, { created: 2, skipped: 1, skipped_rows: [{ index: 2, email: 'admin@localhost', reason: 'user exists' }] })
  t.same(report.errors.map((e: Json) => e.index), [3, 4, 5, 6, 7], 'each bad row is reported by index')
  t.match(report.errors, [
    { index: 3, details: [{ field: 'email' }] },
    { index: 4, details: [{ field: 'password' }] },
    { index: 5, message: /either role or roles/ },
    { index: 6, details: [{ field: 'nickname', rule: 'unknown' }] },
    { index: 7, message: /JSON object/ }
  ])
  t.notOk(JSON.stringify(first).includes('secret'), 'no password in the report')

  t.match((await login(a, 'ann@example.test', 'ann-secret-1')).data?.user, { email: 'ann@example.test', roles: ['editor', 'viewer'] })
  t.match((await login(a, 'bob@example.test', 'bob-secret-1')).data?.user, { roles: ['hr'] }, '`role` is one role')
  t.ok((await login(a, 'admin@localhost', 'changeme')).data?.access_token, 'the existing admin kept its password')
  const ctx = await appContext(app, a)
  const stored = await ctx.sql<Array<{ password_hash: string }>>`SELECT password_hash FROM _users WHERE email = 'ann@example.test'`
  t.match(stored[0]?.password_hash, /^\$2[aby]\$\d\d\$/, 'stored as a bcrypt hash')

  const second = await importDoc(t, a, { version: 1, sample_data: { _users: USERS.slice(0, 3) } })
  t.match(second.sample_data?._users, { created: 0, skipped: 3, errors: [] }, 'importing again creates nobody')
  const users = (await a.as(a.admin, { url: '/_admin/users' })).json() as Json
  t.equal(users.meta.total, 3, 'admin, ann and bob')

  const notList = await a.as(a.admin, { method: 'POST', url: '/_admin/import', payload: { version: 1, sample_data: { _users: { email: 'x@example.test' } } } })
  expectError(t, notList, 422, 'VALIDATION_FAILED')
})

for (const file of ['helpdesk-ticketing.json', 'content-management.json', 'employee-management.json']) {
  t.test(`${file} with sample users imports cleanly, twice in a row`, async (t) => {
    const a = await createTestApp(await build(t), 'exu')
    const base = loadExample<Doc>(file)
    const doc: Doc = { ...base, sample_data: { ...(base.sample_data ?? {}), _users: [{ email: 'agent@example.test', password: 'agent-pass-1', role: 'agent' }, { email: 'lead@example.test', password: 'lead-pass-1', roles: ['team_lead', 'manager'] }] } }
    const first = await importDoc(t, a, doc)
    const second = await importDoc(t, a, doc)
    for (const key of KINDS) {
      t.same([first[key]?.errors, second[key]?.errors, second[key]?.created], [[], [], []], `${key}: no errors, nothing created twice`)
    }
    for (const [key, rows] of Object.entries(doc.sample_data ?? {})) {
      t.match(first.sample_data?.[key], { created: rows.length, skipped: 0, errors: [] }, `sample ${key}: all created`)
      t.match(second.sample_data?.[key], { created: 0, skipped: rows.length, errors: [] }, `sample ${key}: all skipped`)
    }
    t.match((await login(a, 'lead@example.test', 'lead-pass-1')).data?.user, { roles: ['team_lead', 'manager'] })
  })
}
