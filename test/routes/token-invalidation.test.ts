// Issue 16 finding 5: changing a user's roles, password, active flag (or email) refuses the
// user's existing access tokens at once, across processes. Two real server processes on one
// management database, real HTTP.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { withDatabase } from '../../lib/db/connection.js'
import { stopTestServer, testServerUrl } from '../db-helper.js'
import { call, startServerProcess, type Call, type ServerProcess } from './server-process.js'

t.teardown(stopTestServer)

async function login (server: ServerProcess, app: string, email: string, password: string): Promise<string> {
  const res = await call(server, `/api/${app}/auth/login`, { method: 'POST', body: { email, password } })
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.data.access_token as string
}

/** Polls until the token is refused with 401 (whose message matches `reason`, when given) or 2 s pass; returns the last answer and how long it took. */
async function refusedWithin (server: ServerProcess, path: string, token: string, reason?: RegExp): Promise<{ res: Call, ms: number }> {
  const started = Date.now()
  for (;;) {
    const res = await call(server, path, { token })
    const refused = res.status === 401 && (reason === undefined || reason.test(String(res.body.error?.message)))
    if (refused || Date.now() - started > 2000) return { res, ms: Date.now() - started }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('token invalidation across two server processes', async (t) => {
  const mgmt = withDatabase(await testServerUrl(), `rocket_mgmt_${randomBytes(4).toString('hex')}`)
  // One after the other: the first creates and migrates the management database.
  const a = await startServerProcess(mgmt)
  t.teardown(a.stop)
  const b = await startServerProcess(mgmt)
  t.teardown(b.stop)

  const platform = await call(a, '/api/_platform/auth/login', { method: 'POST', body: { email: 'platform@localhost', password: 'changeme' } })
  const app = `tok_${randomBytes(4).toString('hex')}`
  t.equal((await call(a, '/api/_platform/apps', { method: 'POST', token: platform.body.data.access_token, body: { name: app } })).status, 201)
  const admin = await login(a, app, 'admin@localhost', 'changeme')
  const users = `/api/${app}/_admin/users`
  const mk = async (email: string, roles: string[]): Promise<string> => {
    const res = await call(a, users, { method: 'POST', token: admin, body: { email, password: 'secret-pass', roles } })
    t.equal(res.status, 201, `${email} created`)
    return res.body.data.id as string
  }
  const bossId = await mk('boss@example.test', ['admin'])
  const clerkId = await mk('clerk@example.test', ['clerk'])
  const tempId = await mk('temp@example.test', ['clerk'])
  const ownId = await mk('own@example.test', ['clerk'])

  await t.test('a demoted admin\'s token is refused by the other process within a second', async (t) => {
    const boss = await login(b, app, 'boss@example.test', 'secret-pass')
    t.equal((await call(b, users, { token: boss })).status, 200, 'admin on B (the token is now in B\'s verified cache)')
    t.equal((await call(a, users, { token: boss })).status, 200, 'and on A')
    const demoted = await call(a, `${users}/${bossId}`, { method: 'PUT', token: admin, body: { roles: [] } })
    t.equal(demoted.status, 200)
    t.same(demoted.body.data.roles, [])
    t.equal((await call(a, users, { token: boss })).status, 401, 'A refuses it at once')
    const { res, ms } = await refusedWithin(b, users, boss)
    t.equal(res.status, 401, `B refuses it (${JSON.stringify(res.body)})`)
    t.equal(res.body.error?.code, 'UNAUTHORIZED')
    t.ok(ms < 1000, `within a second (${ms} ms)`)
    // The attack from the issue: creating a new admin with the old token.
    const sneaky = await call(b, users, { method: 'POST', token: boss, body: { email: 'sneaky@example.test', password: 'secret-pass', roles: ['admin'] } })
    t.equal(sneaky.status, 401)
    t.equal((await call(a, `/api/${app}/auth/login`, { method: 'POST', body: { email: 'sneaky@example.test', password: 'secret-pass' } })).status, 401, 'no account was created')
    const again = await login(b, app, 'boss@example.test', 'secret-pass')
    t.equal((await call(b, users, { token: again })).status, 403, 'a new token carries the new roles')
    t.equal((await call(b, `/api/${app}/_admin/entities`, { token: admin })).status, 200, 'other users\' tokens are untouched')
  })

  await t.test('a password change and a deactivation do the same; an unchanged role set does not', async (t) => {
    const clerk = await login(a, app, 'clerk@example.test', 'secret-pass')
    t.equal((await call(b, `/api/${app}/_ui/configs`, { token: clerk })).status, 200)
    const same = await call(a, `${users}/${clerkId}`, { method: 'PUT', token: admin, body: { roles: ['clerk'] } })
    t.equal(same.status, 200)
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.equal((await call(b, `/api/${app}/_ui/configs`, { token: clerk })).status, 200, 'roles set to what they were: token still valid')
    t.equal((await call(b, `${users}/${clerkId}`, { method: 'PUT', token: admin, body: { password: 'another-pass' } })).status, 200)
    const byPassword = await refusedWithin(a, `/api/${app}/_ui/configs`, clerk)
    t.equal(byPassword.res.status, 401, 'password changed on B: A refuses the old token')
    t.ok(byPassword.ms < 1000, `within a second (${byPassword.ms} ms)`)

    const temp = await login(b, app, 'temp@example.test', 'secret-pass')
    t.equal((await call(b, `/api/${app}/_ui/configs`, { token: temp })).status, 200)
    t.equal((await call(a, `${users}/${tempId}`, { method: 'PUT', token: admin, body: { active: false } })).status, 200)
    // "User is disabled" is B's blocklist (the raised token version alone says "Token revoked"):
    // the deactivation arrived on rocket_blocklist, with no metadata reload announced.
    const byDeactivation = await refusedWithin(b, `/api/${app}/_ui/configs`, temp, /disabled/)
    t.equal(byDeactivation.res.status, 401, 'deactivated on A: B refuses the token')
    t.match(byDeactivation.res.body.error?.message, /disabled/, 'on its blocklist')
    t.ok(byDeactivation.ms < 1000, `within a second (${byDeactivation.ms} ms)`)
    t.equal((await call(a, `${users}/${tempId}`, { method: 'PUT', token: admin, body: { active: true } })).status, 200)
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.equal((await call(b, `/api/${app}/_ui/configs`, { token: temp })).status, 401, 'reactivation does not revive tokens issued before')
    t.equal((await call(b, `/api/${app}/_ui/configs`, { token: await login(b, app, 'temp@example.test', 'secret-pass') })).status, 200, 'a new login works')
  })

  await t.test('a user deleted through one process is refused by the other', async (t) => {
    const own = await login(a, app, 'own@example.test', 'secret-pass')
    t.equal((await call(b, `/api/${app}/_ui/configs`, { token: own })).status, 200)
    t.equal((await call(a, `${users}/${ownId}`, { method: 'DELETE', token: admin })).status, 200)
    const { res, ms } = await refusedWithin(b, `/api/${app}/_ui/configs`, own, /disabled/)
    t.equal(res.status, 401)
    t.match(res.body.error?.message, /disabled/, 'on its blocklist')
    t.ok(ms < 1000, `within a second (${ms} ms)`)
  })
})
