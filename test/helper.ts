import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import tap, { type Test } from 'tap'
import { buildApp, type BuildOptions } from '../app.js'
import { loadConfig, type Config } from '../config/index.js'
import { withDatabase } from '../lib/db/connection.js'
import type { EngineModule } from '../lib/engine/modules.js'
import type { ActionHandler } from '../lib/state-machines/side-effects.js'
import { dropDatabases, stopTestServer, testServerUrl } from './db-helper.js'

type TapLike = Pick<Test, 'equal' | 'ok'>

let built: Promise<FastifyInstance> | null = null
let stopRegistered = false

/**
 * A Rocket server on a management database of its own, closed and dropped (with its apps'
 * databases and uploads) when the test file ends. Most files use `build`; a file comparing two
 * servers builds the second here.
 */
export async function buildServer (overrides: Partial<Config> = {}, options: Pick<BuildOptions, 'modules' | 'schemaCompilation'> = {}): Promise<FastifyInstance> {
  // tap runs teardowns last-registered first: registered before any server's, the file's own
  // embedded PostgreSQL (when it started one) stops after every database below is dropped.
  if (!stopRegistered) {
    stopRegistered = true
    tap.teardown(stopTestServer)
  }
  const server = await testServerUrl()
  const mgmt = `rocket_mgmt_${randomBytes(4).toString('hex')}`
  // Uploads of this server go to a temporary folder of its own, removed at the end.
  const storagePath = join(tmpdir(), `rocket-files-${mgmt}`)
  const config = loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { databaseUrl: withDatabase(server, mgmt), storagePath, ...overrides })
  const app = await buildApp({ config, ...options })
  tap.teardown(async () => {
    // On the run's shared server (test/run.js) this file's databases would pile up: drop them.
    const dbs = await app.platform.sql<Array<{ db_name: string }>>`SELECT db_name FROM _apps`.catch(() => [])
    await app.close()
    await rm(storagePath, { recursive: true, force: true })
    await dropDatabases(server, [...dbs.map((d) => d.db_name), mgmt])
  })
  return app
}

/**
 * The app under test for this test file: one Fastify instance (shared by the file's tests),
 * closed when the whole file's tests are done. `overrides` (configuration for this file, e.g.
 * short webhook delays) and `options` (engine modules) apply when the first call builds it.
 * Its route schemas compile when a test first sends a route a request;
 * test/routes/schema-compilation.test.ts builds a server the way `npm start` does, compiling all.
 */
export async function build (_t?: unknown, overrides: Partial<Config> = {}, options: Pick<BuildOptions, 'modules'> = {}): Promise<FastifyInstance> {
  built ??= buildServer(overrides, { schemaCompilation: 'on-first-use', ...options })
  return await built
}

/**
 * After-commit action handlers a test file can take over one type at a time: pass `modules` to
 * `build` (each module's own handler runs while the type is not taken). `takeOver` returns the undo.
 */
export function actionOverrides (): { modules: (standard: EngineModule[]) => EngineModule[], takeOver: (type: string, handler: ActionHandler) => () => void } {
  const taken = new Map<string, ActionHandler>()
  const wrap = (type: string, own: ActionHandler): ActionHandler => async (effect) => { await (taken.get(type) ?? own)(effect) }
  return {
    // Only modules with actions are copied (a copy reads getters once: the realtime module's `hub` must stay live).
    modules: (standard) => standard.map((m) => m.actions === undefined
      ? m
      : { ...m, actions: Object.fromEntries(Object.entries(m.actions).map(([type, own]) => [type, wrap(type, own)])) }),
    takeOver: (type, handler) => {
      taken.set(type, handler)
      return () => { taken.delete(type) }
    }
  }
}

export function uniqueName (prefix = 'app'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`
}

export async function platformToken (app: FastifyInstance): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/_platform/auth/login', payload: { email: 'platform@localhost', password: 'changeme' } })
  return (res.json() as { data: { access_token: string } }).data.access_token
}

export interface TestApp {
  name: string
  /** Platform admin token (admin in every app). */
  platform: string
  /** Token of the seeded app admin. */
  admin: string
  /** `inject` with a bearer token and paths relative to `/api/<name>`. */
  as: (token: string | null, opts: InjectOptions & { url: string }) => Promise<LightMyRequestResponse>
}

/** Creates a fresh app (its own database) through the platform API and logs in its admin. */
export async function createTestApp (app: FastifyInstance, prefix = 'app'): Promise<TestApp> {
  const platform = await platformToken(app)
  const name = uniqueName(prefix)
  const created = await app.inject({ method: 'POST', url: '/api/_platform/apps', headers: { authorization: `Bearer ${platform}` }, payload: { name, display_name: name } })
  if (created.statusCode !== 201) throw new Error(`app creation failed: ${created.statusCode} ${created.body}`)
  const login = await app.inject({ method: 'POST', url: `/api/${name}/auth/login`, payload: { email: 'admin@localhost', password: 'changeme' } })
  const admin = (login.json() as { data: { access_token: string } }).data.access_token
  const as: TestApp['as'] = async (token, opts) => await app.inject({
    ...opts,
    url: `/api/${name}${opts.url}`,
    headers: { ...(opts.headers ?? {}), ...(token !== null ? { authorization: `Bearer ${token}` } : {}) }
  })
  return { name, platform, admin, as }
}

/** Asserts the standard error envelope with a status and code. */
/** Asserts the standard error envelope and returns its `error` object (for assertions on details). */
export function expectError (t: TapLike, res: LightMyRequestResponse, status: number, code: string): { code?: string, message?: string, details?: unknown[] } {
  t.equal(res.statusCode, status, `status ${status} (${res.body.slice(0, 300)})`)
  const body = res.json() as { error?: { code?: string, message?: string, details?: unknown[] } }
  t.equal(body.error?.code, code, `code ${code}`)
  t.ok(typeof body.error?.message === 'string', 'has a message')
  return body.error ?? {}
}
