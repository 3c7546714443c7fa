import t from 'tap'
// The login limiter is tested against PostgreSQL in test/lib/rate-limiter.test.ts.
import { UserBlocklist } from '../../lib/auth/blocklist.js'
import { corsOptionsOf } from '../../plugins/cors.js'

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
