import t from 'tap'
import { BootError, bootFailureLine } from '../../lib/platform/boot-error.js'

// A failed startup prints one line with the cause and the fix (docs/ARCHITECTURE.md, "Boot and shutdown").

t.test('bootFailureLine: one line, cause and fix', async (t) => {
  t.equal(bootFailureLine(new BootError('port 54329 of the embedded PostgreSQL is in use by another process', 'set EMBEDDED_PG_PORT to a free port')),
    'Rocket could not start: port 54329 of the embedded PostgreSQL is in use by another process — set EMBEDDED_PG_PORT to a free port')
  const listen = Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:8080'), { code: 'EADDRINUSE', address: '0.0.0.0', port: 8080 })
  t.match(bootFailureLine(listen), /HTTP port is already in use \(0\.0\.0\.0:8080\) — set PORT/)
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5433 })
  t.match(bootFailureLine(refused), /PostgreSQL cannot be reached \(127\.0\.0\.1:5433\) — .*DATABASE_URL/)
  const login = Object.assign(new Error('password authentication failed for user "rocket"'), { code: '28P01' })
  t.match(bootFailureLine(login), /refused the login .* — fix the user and password in DATABASE_URL/)
  const other = bootFailureLine(new Error('first line\n   second line'))
  t.equal(other.split('\n').length, 1, 'always one line')
  t.match(other, /first line second line — run with LOG_LEVEL=debug/)
  t.match(bootFailureLine(undefined), /^Rocket could not start: undefined/)
})
