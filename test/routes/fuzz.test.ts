// Issue 13: malformed input never gets a 5xx. Every route of the server — enumerated from
// Fastify's route table, so a route added later is fuzzed without touching this file — receives
// NUL characters, lone surrogates, overlong strings, deep JSON and wrong types, in path
// parameters, query strings and bodies. Entity routes also get their real field names.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { build, createTestApp, type TestApp } from '../helper.js'

interface Route { method: string, url: string }

const NUL = '\u0000'
const LONE = '\ud800'

// About 18 000 requests: 1–3 minutes on a loaded machine, past .taprc's 300 s only when it is very loaded.
t.setTimeout(600_000)

/**
 * Every method + URL of the route table, from `printRoutes({commonPrefix: false})`: one route
 * per line, nested under its parent (4 characters per level), methods in parentheses.
 */
export function routeTable (app: FastifyInstance): Route[] {
  const out: Route[] = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)/.exec(line)
    if (m === null) continue
    const depth = (m[1] ?? '').length / 4
    stack.length = depth
    const url = (stack[depth - 1] ?? '') + (m[2] ?? '')
    stack[depth] = url
    for (const method of (m[3] ?? '').split(', ')) out.push({ method, url })
  }
  return out
}

/** Values for one path parameter: the tricky ones, each URL-encoded as a client would send it. */
const PARAM_VALUES = ['%00', 'a%00b', '%ED%A0%80', '%F0%9F', encodeURIComponent('x'.repeat(190)), encodeURIComponent('x'.repeat(5000)),
  '-1', '0', '99999999999999999999999', '1e400', '%27%3B%20DROP%20TABLE%20x%3B--', '..%2F..%2Fetc', encodeURIComponent('😀'), 'null', 'undefined', '__proto__']

/** Query strings tried on every route (unknown parameters must be a 4xx too). */
const QUERIES = ['filter[title]=%00', 'filter[title]=%ED%A0%80', 'filter[title.in]=a,%00', 'filter[amount.gt]=abc', 'filter[amount.gt]=1e400',
  'filter[at.gte]=0000-01-01', 'filter[at.lt]=2026-02-30T00:00:00Z', 'filter[priority]=99999999999', 'filter[title.like]=%5C', 'filter[meta]=x',
  'filter[nope]=1', 'filter[title.nope]=1', 'filter=1', 'filter[]=1', 'sort=%00', 'sort=-', 'sort=title,,-', 'include=%00', 'include=lines,lines.x',
  'page=-1', 'page=1e400', 'per_page=100000', 'page=%00', `q=${'x'.repeat(4000)}`, 'entity=%ED%A0%80', 'from=yesterday', 'to=0000-01-01',
  'status=%00', 'event_type[a]=1', 'a[b][c][d][e]=1', '__proto__[x]=1', 'constructor[prototype][x]=1']

function deep (levels: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? { a: v } : [v]
  return v
}

/** Bad values, each put under every key of a body and, one key at a time, in turn. */
const BAD_VALUES: unknown[] = [NUL, `x${NUL}`, LONE, `a${LONE}b`, 'x'.repeat(100_000), deep(60), null, 0, -1, 1.5, 1e308, -1e308, true, false,
  [], [NUL], {}, { [NUL]: NUL }, { a: { b: { c: [LONE] } } }, '', ' ', '0000-01-01T00:00:00Z', '2026-02-30', '9999999999999999999',
  '__proto__', '{{env.HOME}}', '../../etc/passwd', 'http://169.254.169.254/', 'record.__proto__', '((((((((((((((((((((', '^(a+)+$']

/** Keys the routes read (body shapes of docs/reference.md), plus the fuzz entity's fields. */
const KEYS = ['name', 'display_name', 'title', 'email', 'password', 'token', 'refresh_token', 'roles', 'active', 'entity', 'table', 'type', 'fields',
  'primary_key', 'slug', 'soft_delete', 'source', 'target', 'source_key', 'target_key', 'hook', 'definition', 'priority', 'field', 'operator', 'value',
  'expression', 'message', 'states', 'initial', 'transitions', 'trigger', 'steps', 'context', 'conditions', 'action', 'url', 'events', 'headers',
  'secret', 'async', 'timeout_ms', 'emails', 'role', 'scope', 'config', 'event_type', 'record_id', 'metadata', 'comment', 'version', 'entities',
  'relations', 'rules', 'sample_data', 'record', 'old', 'user', 'status', 'amount', 'at', 'meta', 'day', 'big', 'lines', 'tags', 'note_id', 'text', 'id']

/** Raw body texts: invalid JSON, bare scalars, NUL / surrogate escapes, nesting at and beyond the limit. */
const RAW_BODIES = ['"\\u0000"', '{"\\u0000":1}', '{"a":"\\ud800"}', '{"title":"\\udfff\\ud800"}', '[', '{"a":', 'nul', '123', '"str"', 'null', '[]', 'true',
  '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', JSON.stringify(deep(63)), JSON.stringify(deep(65)), `{"title":"${'\\u0000'.repeat(1000)}"}`]

/** Values that broke PostgreSQL before validation refused them: each goes under every key alone. */
const TEXT_ATTACKS: unknown[] = [NUL, `x${NUL}`, LONE, { [NUL]: 1 }, { a: [{ b: `${NUL}` }] }, [LONE], '0000-01-01T00:00:00Z', '9999999999999999999', 1e308]

/**
 * Bodies for a route: every bad value under all keys at once; every key alone (over `base`, so a
 * missing required field does not hide the key's own check) with each text attack and, in turn,
 * a few of the other bad values.
 */
function bodiesFor (keys: readonly string[], opts: { base?: Record<string, unknown>, attacks: readonly unknown[], rounds: number }): unknown[] {
  const { base = {}, attacks, rounds } = opts
  const out: unknown[] = [...BAD_VALUES.map((v) => Object.fromEntries(keys.map((k) => [k, v])))]
  keys.forEach((k, i) => {
    for (const v of attacks) out.push({ ...base, [k]: v })
    for (let round = 0; round < rounds; round++) out.push({ ...base, [k]: BAD_VALUES[(i * 7 + round * 11) % BAD_VALUES.length] })
  })
  return out
}

/** Structured near-misses for the metadata validators (shape right, contents wrong). */
const METADATA_BODIES: unknown[] = [
  { name: 'fz', fields: [{ name: 5 }] },
  { name: 'fz', fields: [null, [], 'x'] },
  { name: 'fz', fields: [{ name: 'a', type: 'decimal', precision: 1e9, scale: -1 }] },
  { name: 'fz', fields: [{ name: 'a', type: 'string', enum: [{}], default: [] }] },
  { name: 'fz', fields: [{ name: 'a', type: 'int', default: Number.POSITIVE_INFINITY, max_length: -1 }] },
  { name: 'fz', fields: [{ name: 'a', type: 'string', required: 'yes' }], primary_key: { field: 'a', type: 'nope' } },
  { name: 'fz', fields: [{ name: 'id', type: 'uuid' }], slug: { field: 'id', source: 5 } },
  { name: 'fz', type: 'many_to_many', source: 'note', target: 'note', join_table: 'pg_class' },
  { entity: 'note', hook: 'before_write', type: 'expression', definition: { expression: '(((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))' } },
  { entity: 'note', hook: 'before_write', type: 'field', definition: { field: 'title', operator: 'pattern', value: '(?<=x)' } },
  { entity: 'note', field: 'title', states: [NUL], transitions: [{ from: [], to: {} }] },
  { name: 'fz', trigger: { entity: 'note', field: 'title', to: {} }, steps: [{ id: 'x', type: 'approval', timeout: '99999999999h' }] },
  { expression: 'record.a.b.c.d.e.f', record: deep(62) },
  { version: 1, entities: [{ name: 'fz' }], sample_data: { note: [{ title: NUL }] } },
  { version: 1, sample_data: { note: [{ id: 'x', amount: 'abc' }, { at: '0000-01-01T00:00:00Z' }] } }
]

const ENTITY = {
  name: 'note',
  table: 'notes',
  slug: { field: 'slug', source: 'title' },
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'title', type: 'string', required: true, max_length: 200 },
    { name: 'slug', type: 'string', unique: true },
    { name: 'status', type: 'string', enum: ['open', 'done'] },
    { name: 'priority', type: 'int' },
    { name: 'big', type: 'bigint' },
    { name: 'amount', type: 'decimal', precision: 2 },
    { name: 'ok', type: 'boolean' },
    { name: 'at', type: 'timestamp' },
    { name: 'day', type: 'date' },
    { name: 'meta', type: 'json' },
    { name: 'ref', type: 'uuid' },
    { name: 'attachment', type: 'file' }
  ]
}

interface Fuzzer {
  app: FastifyInstance
  a: TestApp
  platform: string
  failures: string[]
  sent: number
}

async function send (f: Fuzzer, req: { method: string, url: string, body?: unknown, raw?: string }): Promise<void> {
  const { method, url } = req
  const token = url.startsWith('/api/_platform') ? f.platform : f.a.admin
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  let payload: string | undefined
  if (req.raw !== undefined) payload = req.raw
  else if (req.body !== undefined) payload = JSON.stringify(req.body)
  if (payload !== undefined) headers['content-type'] = 'application/json'
  let res: LightMyRequestResponse
  try {
    res = await f.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) })
  } catch (err) {
    f.failures.push(`${method} ${url.slice(0, 200)}: inject threw ${String(err)}`)
    return
  }
  f.sent++
  if (res.statusCode >= 500) f.failures.push(`${method} ${url.slice(0, 200)} ${(payload ?? '').slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`)
}

/** The route's URL with `:params` filled: the app's name for `:app`, `fill` for the others. */
function fillUrl (url: string, a: TestApp, fill: (param: string) => string): string {
  return url.replace(/:([a-z_]+)/g, (_m, p: string) => (p === 'app' ? a.name : fill(p)))
}

t.test('no 5xx from malformed input on any route', async (t) => {
  // Login routes must answer every attempt, not a 429 after the first fifty.
  const app = await build(t, { loginMaxPerIp: 1_000_000, loginMaxPerEmail: 1_000_000 })
  const a = await createTestApp(app, 'fuzz')
  const f: Fuzzer = { app, a, platform: a.platform, failures: [], sent: 0 }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: ENTITY })).statusCode, 201)
  const line = { name: 'line', table: 'lines', fields: [{ name: 'id', type: 'uuid' }, { name: 'note_id', type: 'uuid' }, { name: 'text', type: 'text', required: true }] }
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: line })).statusCode, 201)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: { name: 'lines', type: 'one_to_many', source: 'note', target: 'line', source_key: 'id', target_key: 'note_id' } })).statusCode, 201)
  const record = (await a.as(a.admin, { method: 'POST', url: '/note', payload: { title: 'Seed', lines: [{ text: 'a' }] } })).json().data as { id: string }

  // Entity routes first: the metadata bodies below may store a rule that refuses every later write.
  const isEntityRoute = (r: Route): boolean => r.url.startsWith('/api/:app/:entity')
  const routes = routeTable(app).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.url.includes('*') && !r.url.startsWith('/admin'))
    .sort((x, y) => Number(isEntityRoute(y)) - Number(isEntityRoute(x)))
  // FUZZ_ROUTES=<regex> narrows a local run to some routes (e.g. while fixing one of them).
  const only = process.env.FUZZ_ROUTES !== undefined ? new RegExp(process.env.FUZZ_ROUTES) : null
  const names = new Set(routes.map((r) => `${r.method} ${r.url}`))
  for (const known of ['GET /health', 'POST /api/_platform/apps', 'POST /api/:app/_admin/entities', 'PUT /api/:app/:entity/:id', 'DELETE /api/:app/:entity/:id', 'POST /api/:app/_admin/import', 'POST /api/:app/auth/login']) {
    t.ok(names.has(known), `route table lists ${known}`)
  }
  t.ok(routes.length >= 60, `${routes.length} routes to fuzz`)

  const entityKeys = [...ENTITY.fields.map((x) => x.name), 'lines', '_delete', '_write_mode']
  // System routes validate each key in code before any SQL: fewer values per key keep the run short.
  const bodies = [...bodiesFor(KEYS, { attacks: [NUL, LONE], rounds: 1 }), ...METADATA_BODIES]
  const entityBodies = [...bodiesFor(entityKeys, { base: { title: 'Base' }, attacks: TEXT_ATTACKS, rounds: 3 }), { title: 'ok', lines: { _write_mode: 'nope', data: {} } }, { title: 'ok', lines: [{ id: NUL }, { id: record.id, _delete: 'yes' }] },
    { title: 'ok', lines: { _write_mode: 'replace', data: [{ text: LONE }, deep(40)] } }, { title: 'ok', attachment: { id: 'not-a-uuid' } }, { title: 'ok', attachment: '00000000-0000-4000-8000-000000000000' }]

  for (const route of routes) {
    if (only !== null && !only.test(`${route.method} ${route.url}`)) continue
    const isEntity = isEntityRoute(route)
    // The platform's app routes: never a real app name in :name (a DELETE would drop the app under test).
    const realUrl = fillUrl(route.url, a, (p) => (p === 'entity' ? 'note' : p === 'id' && isEntity ? record.id : 'fz-missing'))
    // Path parameters, one at a time.
    for (const param of route.url.match(/:([a-z_]+)/g) ?? []) {
      for (const v of PARAM_VALUES) {
        const url = route.url.replace(/:([a-z_]+)/g, (m, p: string) => (m === param ? v : p === 'app' ? a.name : p === 'entity' ? 'note' : 'fz-missing'))
        await send(f, { method: route.method, url })
      }
    }
    // Query strings (DELETE on a real record only with GET-like fuzz, never deleting it here).
    const safeUrl = route.method === 'DELETE' ? fillUrl(route.url, a, (p) => (p === 'entity' ? 'note' : '00000000-0000-4000-8000-000000000000')) : realUrl
    for (const q of QUERIES) await send(f, { method: route.method, url: `${safeUrl}?${q}` })
    if (route.method === 'GET') continue
    for (const raw of RAW_BODIES) await send(f, { method: route.method, url: safeUrl, raw })
    for (const body of isEntity ? entityBodies : bodies) await send(f, { method: route.method, url: safeUrl, body })
  }

  t.ok(only !== null || f.sent > 5000, `${f.sent} requests sent`)
  t.same(f.failures.slice(0, 50), [], `no 5xx (${f.failures.length} failures)`)
  const health = await app.inject({ url: '/health' })
  t.equal(health.statusCode, 200, 'the server is still healthy')
  const still = await a.as(a.admin, { url: `/note/${record.id}?include=lines` })
  t.equal(still.statusCode, 200, 'the seed record survived')
})
