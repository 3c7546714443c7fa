import t from 'tap'
import { ConfigError, loadConfig } from '../../config/index.js'
import { jsonDepthExceeds } from '../../plugins/json-body.js'

t.test('defaults and overrides', async (t) => {
  const c = loadConfig({})
  t.equal(c.port, 8080)
  t.equal(c.databaseUrl, null)
  t.equal(c.bodyLimit, 1024 * 1024)
  const o = loadConfig({ PORT: '9000', DATABASE_URL: 'postgres://u:p@h:5433/rocket', APP_POOL_SIZE: '3' })
  t.equal(o.port, 9000)
  t.equal(o.appPoolSize, 3)
  t.equal(o.databaseUrl, 'postgres://u:p@h:5433/rocket')
})

t.test('invalid values name the key', async (t) => {
  for (const [key, value] of [['PORT', 'eighty'], ['POOL_SIZE', '0'], ['DATABASE_URL', 'mysql://x'], ['LOG_LEVEL', 'loud'], ['PLATFORM_JWT_SECRET', 'short']]) {
    let error: unknown = null
    try { loadConfig({ [key as string]: value }) } catch (err) { error = err }
    t.ok(error instanceof ConfigError, `${key as string} refused`)
    t.match((error as Error).message, key as string, 'message names the key')
  }
})

t.test('JSON depth scan', async (t) => {
  t.equal(jsonDepthExceeds('{"a":[1,{"b":2}]}', 3), false)
  t.equal(jsonDepthExceeds('{"a":[1,{"b":[2]}]}', 3), true)
  t.equal(jsonDepthExceeds('{"a":"[[[[[[[[[["}', 2), false, 'brackets in strings do not count')
  t.equal(jsonDepthExceeds('{"a":"\\"[[[["}', 1), false, 'escaped quotes keep the string open')
  t.equal(jsonDepthExceeds('['.repeat(65) + ']'.repeat(65), 64), true)
  t.equal(jsonDepthExceeds('{"a":"x\\\\"}[[', 1), true, 'a quote after an even run of backslashes closes the string')
  t.equal(jsonDepthExceeds('{"a":"x\\\\\\"[[[["}', 1), false, 'after an odd run it is escaped')
  t.equal(jsonDepthExceeds('[["unterminated [[[[', 2), false, 'an unterminated string ends the scan (JSON.parse refuses it)')
  t.equal(jsonDepthExceeds('[{"k":"v"},{"k":"[{"}]', 2), false, 'many short strings')
})
