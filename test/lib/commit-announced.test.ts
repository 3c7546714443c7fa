// lib/auth/app-channel.ts `commitAnnounced`: a unit in an app database whose NOTIFYs go out from
// the management database only once the unit committed (docs/ARCHITECTURE.md, "Permissions,
// users, invites"). Two pools on two databases, as in a server.
import t from 'tap'
import { commitAnnounced, notifyAll } from '../../lib/auth/app-channel.js'
import { freshDatabase, stopTestServer } from '../db-helper.js'

t.teardown(stopTestServer)

const CHANNEL = 'rocket_test_units'

t.test('the NOTIFY follows the commit; a failed unit announces nothing; a failed NOTIFY undoes the unit', async (t) => {
  const management = await freshDatabase(t)
  const app = await freshDatabase(t)
  await app`CREATE TABLE marks (n int PRIMARY KEY)`
  const heard: Array<{ payload: string, rowVisible: boolean }> = []
  let wake: () => void = () => {}
  const listener = await management.listen(CHANNEL, (payload) => {
    // What another process would read on hearing it: the unit's row is already committed.
    void app`SELECT 1 AS x FROM marks WHERE n = ${Number(payload.split(':')[1])}`.then((rows) => {
      heard.push({ payload, rowVisible: rows.length === 1 })
      wake()
    })
  })
  t.teardown(async () => { await listener.unlisten() })
  const announcer = { sql: management, instanceId: 'test' }
  const next = async (): Promise<void> => { await new Promise<void>((resolve) => { wake = resolve }) }

  const heardOne = next()
  const result = await commitAnnounced(announcer, app, async (tx) => {
    await tx`INSERT INTO marks (n) VALUES (1)`
    return { result: 'done', announcements: [{ channel: CHANNEL, payload: 'test:1' }] }
  })
  t.equal(result, 'done')
  await heardOne
  t.same(heard, [{ payload: 'test:1', rowVisible: true }], 'heard once, after the row was committed')

  await t.rejects(commitAnnounced(announcer, app, async (tx) => {
    await tx`INSERT INTO marks (n) VALUES (2)`
    await tx`INSERT INTO marks (n) VALUES (1)`
    return { result: null, announcements: [{ channel: CHANNEL, payload: 'test:2' }] }
  }), { code: '23505' })
  t.same(await app`SELECT n FROM marks ORDER BY n`, [{ n: 1 }], 'the failed unit left nothing')

  // PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
  await t.rejects(commitAnnounced(announcer, app, async (tx) => {
    await tx`INSERT INTO marks (n) VALUES (3)`
    return { result: null, announcements: [{ channel: CHANNEL, payload: `test:3:${'x'.repeat(8000)}` }] }
  }))
  t.same(await app`SELECT n FROM marks ORDER BY n`, [{ n: 1 }], 'a NOTIFY that failed rolled the unit back')

  const heardLast = next()
  await notifyAll(management, [{ channel: CHANNEL, payload: 'test:4' }])
  await heardLast
  t.same(heard.map((h) => h.payload), ['test:1', 'test:4'], 'nothing of the failed units was ever announced')
})
