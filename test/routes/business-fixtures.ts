// Helpers shared by the rules / state-machine HTTP tests (not a test file itself).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { hashPassword } from '../../lib/auth/passwords.js'
import type { AppContext } from '../../lib/apps/context.js'
import { expectError, type TestApp } from '../helper.js'

export type Row = Record<string, unknown>
type Tap = Pick<Test, 'equal'>

/** The app's runtime context (pool, registry) as the server holds it. */
export async function appContext (app: FastifyInstance, a: TestApp): Promise<AppContext> {
  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error(`no app ${a.name}`)
  return ctx
}

/** Creates entities and relations through the admin API, asserting each 201. */
export async function defineSchema (t: Tap, a: TestApp, schema: { entities: Row[], relations?: Row[] }): Promise<void> {
  for (const e of schema.entities) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: e })
    t.equal(res.statusCode, 201, `entity ${String(e.name)}: ${res.body.slice(0, 300)}`)
  }
  for (const r of schema.relations ?? []) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: r })
    t.equal(res.statusCode, 201, `relation ${String(r.name)}: ${res.body.slice(0, 300)}`)
  }
}

/** POSTs an admin resource (`rules`, `state-machines`, `permissions`) and returns the created row; throws unless 201. */
export async function adminCreate (a: TestApp, resource: string, payload: unknown): Promise<Row> {
  const res = await a.as(a.admin, { method: 'POST', url: `/_admin/${resource}`, payload: payload as Row })
  if (res.statusCode !== 201) throw new Error(`POST /_admin/${resource}: ${res.statusCode} ${res.body}`)
  return res.json().data as Row
}

/** Inserts an app user straight into `_users` (bcrypt hash as the auth code makes it) and logs them in. */
export async function userToken (app: FastifyInstance, a: TestApp, email: string, roles: string[]): Promise<string> {
  const ctx = await appContext(app, a)
  const hash = await hashPassword('password-123')
  await ctx.sql`INSERT INTO _users (email, password_hash, roles) VALUES (${email}, ${hash}, ${ctx.sql.array(roles)})`
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  if (login.statusCode !== 200) throw new Error(`login ${email}: ${login.body}`)
  return (login.json() as { data: { access_token: string } }).data.access_token
}

/** `data` of a 200/201 response, asserting the status. */
export function dataOf (t: Tap, res: LightMyRequestResponse, status = 200): Row {
  t.equal(res.statusCode, status, `status ${status}: ${res.body.slice(0, 400)}`)
  return (res.json() as { data: Row }).data
}

/** `error.details` of an error response. */
export function detailsOf (res: LightMyRequestResponse): Row[] {
  return ((res.json() as { error?: { details?: Row[] } }).error?.details) ?? []
}

/** A definition the admin API must refuse, and the detail that must name the problem (`position`: in an expression). */
export interface RefusedDefinition {
  name: string
  body: unknown
  field: string
  position?: number
}

/** POSTs each definition to `/_admin/<resource>`: 422 VALIDATION_FAILED with a detail naming its problem; then nothing was saved. */
export async function expectRefused (t: Test, a: TestApp, resource: string, cases: readonly RefusedDefinition[]): Promise<void> {
  for (const c of cases) {
    const res = await a.as(a.admin, { method: 'POST', url: `/_admin/${resource}`, payload: c.body as Row })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    const detail = detailsOf(res).find((d) => d.field === c.field)
    t.ok(detail, `${c.name}: a detail names ${c.field} (${res.body.slice(0, 300)})`)
    if (c.position !== undefined) t.equal(detail?.position, c.position, `${c.name}: position`)
  }
  t.same(dataOf(t, await a.as(a.admin, { url: `/_admin/${resource}` })), [], 'nothing was saved')
}
