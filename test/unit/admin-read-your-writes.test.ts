import t from 'tap'
import { minLsnHeaders, newerLsn, rememberCommit } from '../../admin/src/api/read-your-writes.js'

t.test('the admin UI sends the newest commit position it received on its reads', async (t) => {
  t.same(minLsnHeaders('/shop/order'), {}, 'nothing before a write')
  const answer = (lsn: string | null): Pick<Headers, 'get'> => ({ get: (name: string) => name === 'x-rocket-commit-lsn' ? lsn : null })
  rememberCommit('/shop/order', answer(null))
  t.same(minLsnHeaders('/shop/order'), {}, 'a read answer carries none')
  rememberCommit('/shop/order', answer('0/16B3748'))
  t.same(minLsnHeaders('/shop/order'), { 'x-rocket-min-lsn': '0/16B3748' })
  rememberCommit('/shop/order', answer('0/16B0000'))
  t.same(minLsnHeaders('/shop/order'), { 'x-rocket-min-lsn': '0/16B3748' }, 'an older position (another server answered late) does not go back')
  rememberCommit('/shop/order', answer('1/0'))
  t.same(minLsnHeaders('/shop/order'), { 'x-rocket-min-lsn': '1/0' })
  rememberCommit('/shop/order', answer('garbage'))
  t.same(minLsnHeaders('/shop/order'), { 'x-rocket-min-lsn': '1/0' }, 'an unparsable value is ignored')
  t.same(minLsnHeaders('/other/thing'), {}, 'another app (maybe on another server) is not held to it')
  t.same(minLsnHeaders('/shop/_admin/users'), { 'x-rocket-min-lsn': '1/0' }, 'every read of the app is')
  t.equal(newerLsn(null, ' 0/1 '), '0/1')
  t.equal(newerLsn('A/0', '9/FFFFFFFF'), 'A/0')
})
