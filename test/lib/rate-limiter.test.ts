import t, { type Test } from 'tap'
import { LoginLimiter } from '../../lib/auth/rate-limit.js'
import { connect, type Sql } from '../../lib/db/connection.js'
import { kyselyFor } from '../../lib/db/kysely.js'
import { migrateToLatest } from '../../lib/db/migrate.js'
import { RateLimiter } from '../../lib/limits/rate-limiter.js'
import { freshDatabase, stopTestServer } from '../db-helper.js'

t.teardown(stopTestServer)

/** A management database (platform migrations) for the limiter. */
async function managementDb (t: Test): Promise<Sql> {
  const sql = await freshDatabase(t)
  const db = kyselyFor(sql)
  await migrateToLatest(db, 'platform')
  return sql
}

t.test('login limiter: per email, per IP, success resets', async (t) => {
  const sql = await managementDb(t)
  const limiter = new LoginLimiter(new RateLimiter(sql), { perIp: 5, perEmail: 3, windowSeconds: 60 })
  const key = (email: string, ip = '10.0.0.1'): { ip: string, scope: string, email: string } => ({ ip, scope: 'app1', email })
  for (let i = 0; i < 3; i++) t.equal(await limiter.attempt(key('A@x.test')), 0, `attempt ${i + 1} allowed`)
  const wait = await limiter.attempt(key(' a@X.test '))
  t.ok(wait >= 59 && wait <= 60, `email normalized; 4th attempt waits the window (${wait})`)
  t.ok(await limiter.attempt(key('a@x.test', '10.0.0.9')) > 0, 'another IP does not help an attacked account')
  t.equal(await limiter.attempt({ ip: '10.0.0.1', scope: 'app2', email: 'a@x.test' }), 0, 'accounts are scoped per app')
  t.equal(await limiter.attempt(key('b@x.test')), 0, 'refused attempts did not count: 5th IP attempt allowed')
  t.ok(await limiter.attempt(key('c@x.test')) > 0, 'the IP is now over its limit')
  await limiter.succeeded(key('b@x.test'))
  t.equal(await limiter.attempt(key('c@x.test')), 0, 'a success gave the IP one attempt back')
  await limiter.succeeded(key('a@x.test'))
  for (let i = 0; i < 3; i++) t.equal(await limiter.attempt(key('a@x.test', '10.0.0.2')), 0, 'success cleared the account counter')
})

t.test('windows expire and Retry-After counts down', async (t) => {
  const sql = await managementDb(t)
  const limiter = new RateLimiter(sql)
  const k = [{ key: 'k', max: 1 }]
  t.equal(await limiter.hit(k, 2), 0)
  t.equal(await limiter.hit(k, 2), 2, 'over: wait the window')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal(await limiter.hit(k, 2), 1, 'a second later: one second left')
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(await limiter.hit(k, 2), 0, 'a new window')
})

t.test('two processes (two pools) share the counts: the (max+1)-th hit is refused wherever it lands', async (t) => {
  const sql = await managementDb(t)
  const { options } = sql as unknown as { options: { host: string[], port: number[], database: string, user: string, pass: string | null } }
  const other = connect(`postgres://${options.user}:${options.pass ?? ''}@${options.host[0]}:${options.port[0]}/${options.database}`, { max: 2 })
  t.teardown(async () => { await other.end() })
  const a = new RateLimiter(sql)
  const b = new RateLimiter(other)
  const k = [{ key: 'shared', max: 10 }]
  const waits = await Promise.all(Array.from({ length: 12 }, async (_, i) => await (i % 2 === 0 ? a : b).hit(k, 60)))
  t.equal(waits.filter((w) => w === 0).length, 10, 'exactly max hits allowed in parallel')
  const [row] = await sql<Array<{ count: number }>>`SELECT count FROM _rate_limits WHERE key = 'shared'`
  t.equal(row?.count, 12)
})
