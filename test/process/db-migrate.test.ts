import t from 'tap'
import { cleanup, platformLogin, signalGroup, startServer, waitReady } from './server-process.js'

// `npm run db:migrate` (lib/db/migrate-cli.ts) runs the boot path's migrations on the
// management database and every app database, then exits.

t.test('db:migrate migrates the management and app databases of a data dir, and refuses one in use', async (t) => {
  const server = await startServer()
  t.teardown(async () => { await cleanup(server) })
  await waitReady(server)
  const token = ((await (await platformLogin(server.base)).json()) as { data: { access_token: string } }).data.access_token
  const created = await fetch(`${server.base}/api/_platform/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'migrated_app', display_name: 'Migrated' })
  })
  t.equal(created.status, 201)

  const busy = await startServer({ script: 'lib/db/migrate-cli.ts', dataDir: server.dataDir, pgPort: server.pgPort })
  t.equal(await busy.exited, 1, 'refused while the server runs')
  t.match(busy.stderr().trim(), /^Rocket could not start: .*in use by another Rocket process.*DATA_DIR/)

  signalGroup(server, 'SIGTERM')
  t.equal(await server.exited, 0)
  for (const round of [1, 2]) {
    const migrate = await startServer({ script: 'lib/db/migrate-cli.ts', dataDir: server.dataDir, pgPort: server.pgPort })
    t.equal(await migrate.exited, 0, `round ${round}: exit 0 (${migrate.stderr()})`)
    t.match(migrate.stdout(), /migrated the management database and 1 app database\n/, `round ${round}: reports the app`)
  }
})
