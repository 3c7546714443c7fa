import t from 'tap'
import { UserBlocklist } from '../../lib/auth/blocklist.js'
import { LoginLimiter } from '../../lib/auth/rate-limit.js'
import { corsOptionsOf } from '../../plugins/cors.js'

t.test('login limiter: per email, per IP, window, success resets', async (t) => {
  let now = 1_000_000
  const limiter = new LoginLimiter({ perIp: 5, perEmail: 3, windowSeconds: 60, now: () => now })
  const key = (email: string, ip = '10.0.0.1'): { ip: string, scope: string, email: string } => ({ ip, scope: 'app1', email })
  for (let i = 0; i < 3; i++) t.equal(limiter.attempt(key('A@x.test')), 0, `attempt ${i + 1} allowed`)
  t.equal(limiter.attempt(key(' a@X.test ')), 60, 'email normalized; 4th attempt waits the window')
  t.equal(limiter.attempt(key('a@x.test', '10.0.0.9')), 60, 'another IP does not help an attacked account')
  t.equal(limiter.attempt({ ip: '10.0.0.1', scope: 'app2', email: 'a@x.test' }), 0, 'accounts are scoped per app')
  t.equal(limiter.attempt(key('b@x.test')), 0, 'another account from the same IP: 5th IP attempt')
  t.equal(limiter.attempt(key('c@x.test')), 60, 'the IP is now over its limit')
  now += 30_000
  t.equal(limiter.attempt(key('c@x.test')), 30, 'Retry-After counts down')
  now += 30_000
  t.equal(limiter.attempt(key('a@x.test')), 0, 'a new window')
  limiter.succeeded(key('a@x.test'))
  for (let i = 0; i < 3; i++) t.equal(limiter.attempt(key('a@x.test', '10.0.0.2')), 0, 'success cleared the account counter')
})

t.test('login limiter memory stays bounded', async (t) => {
  const limiter = new LoginLimiter({ perIp: 1000, perEmail: 1, windowSeconds: 60, maxKeys: 100 })
  for (let i = 0; i < 1000; i++) limiter.attempt({ ip: `ip${i}`, scope: 's', email: `u${i}@x.test` })
  const size = (limiter as unknown as { counters: Map<string, unknown> }).counters.size
  t.ok(size <= 100, `at most maxKeys counters (${size})`)
})

t.test('user blocklist: deactivated, reactivated, deleted for one token lifetime', async (t) => {
  const list = new UserBlocklist()
  list.deactivated('u1')
  t.ok(list.has('u1'))
  list.reactivated('u1')
  t.notOk(list.has('u1'))
  list.removed('u2', 0.05)
  t.ok(list.has('u2'))
  await new Promise((resolve) => setTimeout(resolve, 80))
  t.notOk(list.has('u2'), 'forgotten once every token it could hold has expired')
  await list.refreshInactive(async () => ['u3'])
  t.ok(list.has('u3'), 'loaded from the database')
  await list.refreshInactive(async () => { list.deactivated('u4'); return [] })
  t.ok(list.has('u3') && list.has('u4'), 'a refresh racing a local change is discarded')
})

t.test('CORS_ORIGIN parsing', async (t) => {
  t.equal(corsOptionsOf('*')?.origin, '*')
  t.equal(corsOptionsOf('true')?.origin, true)
  t.equal(corsOptionsOf('false'), null)
  t.equal(corsOptionsOf('none'), null)
  t.same(corsOptionsOf('https://a.example, https://b.example')?.origin, ['https://a.example', 'https://b.example'])
})
