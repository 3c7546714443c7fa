import t from 'tap'
import { minLsnHeaders, newerLsn, rememberCommit } from '../../admin/src/api/read-your-writes.js'

t.test('the admin UI sends the newest commit position it received on its reads', async (t) => {
  t.same(minLsnHeaders(), {}, 'nothing before a write')
  const answer = (lsn: string | null): Pick<Headers, 'get'> => ({ get: (name: string) => name === 'x-rocket-commit-lsn' ? lsn : null })
  rememberCommit(answer(null))
  t.same(minLsnHeaders(), {}, 'a read answer carries none')
  rememberCommit(answer('0/16B3748'))
  t.same(minLsnHeaders(), { 'x-rocket-min-lsn': '0/16B3748' })
  rememberCommit(answer('0/16B0000'))
  t.same(minLsnHeaders(), { 'x-rocket-min-lsn': '0/16B3748' }, 'an older position (another server answered late) does not go back')
  rememberCommit(answer('1/0'))
  t.same(minLsnHeaders(), { 'x-rocket-min-lsn': '1/0' })
  rememberCommit(answer('garbage'))
  t.same(minLsnHeaders(), { 'x-rocket-min-lsn': '1/0' }, 'an unparsable value is ignored')
  t.equal(newerLsn(null, ' 0/1 '), '0/1')
  t.equal(newerLsn('A/0', '9/FFFFFFFF'), 'A/0')
})
