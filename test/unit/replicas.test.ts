import t from 'tap'
import { parseDatabaseServers } from '../../config/database-servers.js'
import type { AppContext } from '../../lib/apps/context.js'
import type { AppManager } from '../../lib/apps/manager.js'
import type { Sql } from '../../lib/db/connection.js'
import type { ReplicaHealth } from '../../lib/replicas/health.js'
import { formatLsn, parseLsn } from '../../lib/replicas/lsn.js'
import { ReadRouter, replicaFailure } from '../../lib/replicas/router.js'
import type { ServerDirectory } from '../../lib/servers/directory.js'
import { maskUrl } from '../../lib/servers/urls.js'
import { freePort } from '../db-helper.js'

t.test('pg_lsn text ↔ comparable positions', async (t) => {
  t.equal(parseLsn('0/16B3748'), 0x16B3748n)
  t.equal(parseLsn('1/0'), 1n << 32n)
  t.ok((parseLsn('1/0') as bigint) > (parseLsn('0/FFFFFFFF') as bigint), 'the high part orders first')
  t.equal(formatLsn(parseLsn('AB/16b3748') as bigint), 'AB/16B3748')
  for (const bad of ['', '0', '0/', '/1', 'x/1', '1/2/3', '123456789/1', ' 0/1']) t.equal(parseLsn(bad), null, bad)
})

t.test('DATABASE_SERVERS', async (t) => {
  t.same(parseDatabaseServers(''), [])
  t.same(parseDatabaseServers('[{"name":"default","replicas":["postgres://u:p@r1/x"]},{"name":"eu","url":"postgres://u:p@eu/x"}]'),
    [{ name: 'default', url: null, replicas: ['postgres://u:p@r1/x'] }, { name: 'eu', url: 'postgres://u:p@eu/x', replicas: [] }])
  t.match(parseDatabaseServers('{'), { problem: /JSON array/ })
  t.match(parseDatabaseServers('[{"name":"eu"}]'), { problem: /needs a url/ })
  t.match(parseDatabaseServers('[{"name":"default","url":"postgres://a/b"}]'), { problem: /replicas only/ })
  t.match(parseDatabaseServers('[{"name":"eu","url":"postgres://a/b"},{"name":"eu","url":"postgres://c/d"}]'), { problem: /twice/ })
  t.match(parseDatabaseServers('[{"name":"Eu!","url":"postgres://a/b"}]'), { problem: /pattern/ })
  t.match(parseDatabaseServers('[{"name":"eu","url":"http://a/b"}]'), { problem: /pattern/ })
  t.match(parseDatabaseServers('[{"name":"eu","url":"postgres://a/b","pool":3}]'), { problem: /additional/ })
  const problem = parseDatabaseServers('[{"name":"eu","url":"postgres://u:secret@/b"}]')
  t.notMatch(JSON.stringify(problem), /secret/, 'problems never quote a URL')
})

t.test('URLs are shown with passwords masked', async (t) => {
  t.equal(maskUrl('postgres://rocket:s3cret@db:5432/rocket'), 'postgres://rocket:***@db:5432/rocket')
  t.equal(maskUrl('postgres://rocket@db/rocket'), 'postgres://rocket@db/rocket')
  t.equal(maskUrl('postgres://db/rocket?password=s3cret&sslmode=require'), 'postgres://db/rocket?password=***&sslmode=require')
  t.equal(maskUrl('not a url s3cret'), '***')
})

t.test('which replica failures send a read to the primary', async (t) => {
  for (const code of ['ECONNREFUSED', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT', '57P01', '57P03', '08006']) t.equal(replicaFailure({ code }), 'down', code)
  for (const code of ['3D000', '28P01', '40001']) t.equal(replicaFailure({ code }), 'retry', code)
  for (const code of ['22P02', '42P01', undefined]) t.equal(replicaFailure({ code }), null, String(code))
})

t.test('a read failing on a replica for a connection error is marked down and answered by the primary', async (t) => {
  const port = await freePort()
  const replica = `postgres://u:p@127.0.0.1:${port}/postgres`
  const down: string[] = []
  let usable = true
  const health = { usable: () => usable, markDown: (url: string) => { down.push(url); usable = false } } as unknown as ReplicaHealth
  const servers = { get: () => ({ name: 'default', url: 'postgres://x/y', replicas: [replica] }) } as unknown as ServerDirectory
  const primary = (() => {}) as unknown as Sql
  const app = { name: 'a', server: 'default', dbName: 'rocket_a', sql: primary } as unknown as AppContext
  const apps = { roleOf: (db: string) => ({ name: db, password: 'pw' }), peek: () => undefined } as unknown as AppManager
  const router = new ReadRouter({ servers, apps, health, maxLagMs: 1000, poolSize: 1, idleTimeout: 1 })
  t.teardown(async () => { await router.close() })
  t.equal(router.pick(app, null), replica)
  const served = await router.read(app, null, async (sql) => {
    if (sql === primary) return 'primary'
    await sql`SELECT 1`
    return 'replica'
  })
  t.equal(served, 'primary', 'answered by the primary')
  t.same(down, [replica], 'the replica was marked down')
  t.equal(router.pick(app, null), null, 'and is skipped afterwards')
  await t.rejects(router.read(app, null, async () => { throw Object.assign(new Error('bad'), { code: '22P02' }) }), /bad/, 'errors of the query itself are not retried')
  router.prune()
})
