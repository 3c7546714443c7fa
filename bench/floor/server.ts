/**
 * The floor: the thinnest hand-written Fastify + postgres.js server that answers the
 * benchmark's URLs (`/api/<app>/<entity>[/:id]`) with Rocket's JSON shapes, for the three
 * benchmark tables only. Prepared statements, Fastify's compiled validation and
 * serialization, HS256 verification with the app's own secret (fast-jwt, cached verifier).
 * It is the practical upper bound of the stack Rocket runs on.
 *
 * Writes also write the audit row every write must leave (docs/reference.md, "UI configs, audit log, events"; same statement); FLOOR_AUDIT=0 leaves it out
 * and writes a nested create as ONE statement (the issue-10 bar: a hand-written server without
 * an audit log, as the independent harness measured).
 *
 * Env: FLOOR_MGMT_URL (management database), FLOOR_APP, PORT, HOST, FLOOR_POOL_SIZE, FLOOR_AUDIT.
 */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { createVerifier } from 'fast-jwt'
import fastJson from 'fast-json-stringify'
import postgres from 'postgres'
import { STATUSES } from '../schema.js'
import {
  ENTITY_TABLES, INSERT_NESTED_ONE_STATEMENT, ITEMS_OF, invoiceWithItems, listStatement, writeStatements, type Table
} from './tables.js'
import { bulkJson, Cursors, queryList, Refused, statusAggregate, type AggregateParams, type ListParams } from './query.js'

type Row = Record<string, unknown>
type Params = { app: string, entity: string, id?: string }

const env = process.env
const APP = env.FLOOR_APP ?? 'bench'
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const mgmt = postgres(env.FLOOR_MGMT_URL ?? '', { max: 1 })
const [app] = await mgmt<Array<{ db_name: string, jwt_secret: string }>>`SELECT db_name, jwt_secret FROM _apps WHERE name = ${APP}`
await mgmt.end()
if (app === undefined) throw new Error(`floor: app ${APP} not found`)

const url = new URL(env.FLOOR_MGMT_URL ?? '')
url.pathname = `/${app.db_name}`
// Same type handling as Rocket: DATE stays text, NUMERIC/BIGINT strings, TIMESTAMPTZ a Date.
const sql = postgres(url.toString(), {
  max: Number(env.FLOOR_POOL_SIZE ?? 10),
  types: { date: { to: 1082, from: [1082], serialize: (x: unknown) => x, parse: (x: string) => x } }
})
const verify = createVerifier({ key: app.jwt_secret, algorithms: ['HS256'], cache: true })
const AUDIT = env.FLOOR_AUDIT !== '0'
const { insertInvoice, insertInvoices, insertItems, updateStatus } = writeStatements(AUDIT)
const cursors = new Cursors(app.jwt_secret)
/** Extra parameter of audited statements: the caller's id, as Rocket records it. */
const userParam = (request: FastifyRequest): unknown[] => (AUDIT ? [request.userId] : [])

declare module 'fastify' {
  interface FastifyRequest { userId: string | null }
}

function fail (reply: FastifyReply, status: number, code: string): FastifyReply {
  return reply.code(status).send({ error: { code, message: code } })
}

function run (text: string, params: unknown[]): Promise<Row[]> {
  return sql.unsafe<Row[]>(text, params as never[], { prepare: true })
}

const fastify = Fastify({ logger: false })
fastify.decorateRequest('userId', null)
const dataOf = (record: unknown): object => ({ type: 'object', properties: { data: record } })
const recordSchema = { 200: dataOf(invoiceWithItems), 201: dataOf(invoiceWithItems) }

fastify.addHook('onRequest', async (request: FastifyRequest<{ Params: Params }>, reply) => {
  if (request.params.app === undefined) return
  const header = request.headers.authorization
  try {
    if (header === undefined || !header.startsWith('Bearer ')) throw new Error('no token')
    const claims = verify(header.slice(7)) as { sub?: string, app?: string, scope?: string, type?: string }
    if (claims.type !== 'access' || (claims.scope !== 'platform' && claims.app !== request.params.app)) throw new Error('wrong app')
    request.userId = claims.sub ?? null
  } catch {
    return fail(reply, 401, 'UNAUTHORIZED')
  }
  if (request.params.app !== APP) return fail(reply, 404, 'APP_NOT_FOUND')
})

function tableOf (entity: string): Table | undefined {
  return ENTITY_TABLES.get(entity)
}

fastify.get<{ Params: Params }>('/api/:app/:entity/:id', async (request, reply) => {
  const t = tableOf(request.params.entity)
  const id = request.params.id ?? ''
  if (t === undefined) return fail(reply, 404, 'UNKNOWN_ENTITY')
  if (!UUID_RE.test(id)) return fail(reply, 400, 'INVALID_PAYLOAD')
  const [row] = await run(t.byId, [id])
  if (row === undefined) return fail(reply, 404, 'NOT_FOUND')
  return await reply.serializer(serializerOf(t)).send({ data: row })
})

const listSerializers = new Map<string, (x: unknown) => string>()
const recordSerializers = new Map<string, (x: unknown) => string>()

function serializerOf (t: Table): (x: unknown) => string {
  return recordSerializers.get(t.name) as (x: unknown) => string
}

interface ListQuery { sort?: string, page?: string, per_page?: string, include?: string, [k: string]: string | undefined }

/** Parses the few list parameters the benchmark uses, against whitelisted columns. */
function parseList (t: Table, q: ListQuery): { where: string, sort: string, params: unknown[], page: number, perPage: number } | null {
  const names = new Set(t.columns.map(([c]) => c))
  const params: unknown[] = []
  let where = ''
  for (const key of Object.keys(q)) {
    if (!key.startsWith('filter[')) continue
    const col = key.slice(7, -1)
    if (!names.has(col)) return null
    params.push(q[key])
    where += ` AND "${col}" = $${params.length}`
  }
  const terms: string[] = []
  for (const part of (q.sort ?? '').split(',')) {
    if (part === '') continue
    const desc = part.startsWith('-')
    const col = desc ? part.slice(1) : part
    if (!names.has(col)) return null
    terms.push(`"${col}" ${desc ? 'DESC' : 'ASC'}`)
  }
  terms.push('"id" ASC')
  const page = Math.max(1, Number(q.page ?? 1) | 0)
  const perPage = Math.min(100, Math.max(1, Number(q.per_page ?? 25) | 0))
  return { where, sort: terms.join(', '), params, page, perPage }
}

async function attachItems (rows: Row[]): Promise<void> {
  const byInvoice = new Map<unknown, Row[]>()
  for (const r of rows) { r.items = []; byInvoice.set(r.id, r.items as Row[]) }
  if (rows.length === 0) return
  for (const item of await run(ITEMS_OF, [[...byInvoice.keys()]])) byInvoice.get(item.invoice_id)?.push(item)
}

fastify.get<{ Params: Params }>('/api/:app/invoice/_aggregate', async (request, reply) => {
  try {
    return await reply.type('application/json; charset=utf-8').send(await statusAggregate(run, request.query as AggregateParams))
  } catch (err) {
    if (err instanceof Refused) return fail(reply, 400, 'INVALID_PAYLOAD')
    throw err
  }
})

fastify.get<{ Params: Params, Querystring: ListQuery }>('/api/:app/:entity', async (request, reply) => {
  const t = tableOf(request.params.entity)
  if (t === undefined) return fail(reply, 404, 'UNKNOWN_ENTITY')
  try {
    const body = await queryList(run, cursors, t, request.query as ListParams)
    if (body !== undefined) return await reply.type('application/json; charset=utf-8').send(body)
  } catch (err) {
    if (err instanceof Refused) return fail(reply, 400, 'INVALID_PAYLOAD')
    throw err
  }
  const q = parseList(t, request.query)
  if (q === null) return fail(reply, 400, 'UNKNOWN_FIELD')
  const text = listStatement(t, q.where, q.sort, q.params.length)
  const result = await run(text, [...q.params, q.perPage, (q.page - 1) * q.perPage])
  const total = Number(result[0]?._n ?? 0)
  const rows = result[0]?.id === null ? [] : result
  if (request.query.include === 'items' && t.name === 'invoices') await attachItems(rows)
  const body = { data: rows, meta: { page: q.page, per_page: q.perPage, total } }
  return await reply.serializer(listSerializers.get(t.name) as (x: unknown) => string).send(body)
})

const itemBody = {
  type: 'object',
  required: ['description'],
  additionalProperties: false,
  properties: { description: { type: 'string' }, quantity: { type: 'integer', default: 1 }, unit_price: { anyOf: [{ type: 'number' }, { type: 'string' }] } }
}
const invoiceBody = {
  type: 'object',
  required: ['number'],
  additionalProperties: false,
  properties: {
    number: { type: 'string' },
    status: { type: 'string', enum: [...STATUSES], default: 'draft' },
    total: { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'null' }] },
    customer_id: { type: ['string', 'null'], format: 'uuid' },
    issued_on: { type: ['string', 'null'], format: 'date' },
    items: { type: 'array', items: itemBody }
  }
}
type ItemBody = { description: string, quantity?: number, unit_price?: number | string }

interface InvoiceBody {
  number: string
  status?: string
  total?: number | string | null
  customer_id?: string | null
  issued_on?: string | null
  /** A plain array, or the documented `{_write_mode, data}` form (S5d). */
  items?: ItemBody[] | { _write_mode?: string, data: ItemBody[] }
}

/** One invoice, or S10's array of them (docs/QUERYING.md "Bulk and batch writes"); defaults applied in code (not inside anyOf). */
const { default: _draft, ...statusNoDefault } = invoiceBody.properties.status
const itemNoDefault = { ...itemBody, properties: { ...itemBody.properties, quantity: { type: 'integer' } } }
const itemList = { type: 'array', items: itemNoDefault }
// Only `diff` (a new invoice has no items to replace); Rocket validates the mode the same way.
const itemsWrapped = { type: 'object', required: ['data'], additionalProperties: false, properties: { _write_mode: { enum: ['diff', 'replace', 'append'] }, data: itemList } }
const oneInvoice = { ...invoiceBody, properties: { ...invoiceBody.properties, status: statusNoDefault, items: { anyOf: [itemList, itemsWrapped] } } }
const { items: _items, ...flatProperties } = oneInvoice.properties
const createBody = { anyOf: [oneInvoice, { type: 'array', minItems: 1, maxItems: 1000, items: { ...oneInvoice, properties: flatProperties } }] }

async function createMany (request: FastifyRequest, reply: FastifyReply, list: InvoiceBody[]): Promise<FastifyReply> {
  const col = <K extends keyof InvoiceBody>(k: K): unknown[] => list.map((b) => b[k] ?? null)
  const params = [col('number'), list.map((b) => b.status ?? 'draft'), list.map((b) => (b.total === undefined || b.total === null ? null : String(b.total))), col('customer_id'), col('issued_on'), ...userParam(request)]
  const rows = await run(insertInvoices, params)
  return await reply.code(201).serializer(bulkJson).send({ data: rows })
}

fastify.post<{ Params: Params, Body: InvoiceBody | InvoiceBody[] }>('/api/:app/invoice', { schema: { body: createBody, response: recordSchema } }, async (request, reply) => {
  if (Array.isArray(request.body)) return await createMany(request, reply, request.body)
  const b = request.body
  const values = [b.number, b.status ?? 'draft', b.total ?? null, b.customer_id ?? null, b.issued_on ?? null, ...userParam(request)]
  const list = b.items === undefined || Array.isArray(b.items) ? b.items : b.items.data
  if (list === undefined) {
    const [row] = await run(insertInvoice, values)
    return await reply.code(201).send({ data: row })
  }
  if (!AUDIT) {
    const [row] = await run(INSERT_NESTED_ONE_STATEMENT, [...values, list.map((i) => i.description), list.map((i) => i.quantity ?? 1), list.map((i) => String(i.unit_price ?? 0))])
    if (row !== undefined && row.items === null) row.items = []
    return await reply.code(201).send({ data: row })
  }
  const row = await sql.begin(async (tx) => {
    const [invoice] = await tx.unsafe<Row[]>(insertInvoice, values as never[], { prepare: true })
    const params = [invoice?.id, list.map((i) => i.description), list.map((i) => i.quantity ?? 1), list.map((i) => String(i.unit_price ?? 0)), ...userParam(request)]
    const created = list.length === 0 ? [] : await tx.unsafe<Row[]>(insertItems, params as never[], { prepare: true })
    return { ...invoice, items: created }
  })
  return await reply.code(201).send({ data: row })
})

const statusBody = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string', enum: [...STATUSES] } }
}

fastify.put<{ Params: Params, Body: { status: string } }>('/api/:app/invoice/:id', { schema: { body: statusBody, response: recordSchema } }, async (request, reply) => {
  const id = request.params.id ?? ''
  if (!UUID_RE.test(id)) return fail(reply, 400, 'INVALID_PAYLOAD')
  const [row] = await run(updateStatus, [request.body.status, id, ...userParam(request)])
  if (row === undefined) return fail(reply, 404, 'NOT_FOUND')
  return { data: row }
})

fastify.get('/health', async () => ({ status: 'ok' }))

for (const t of ENTITY_TABLES.values()) {
  const record = t.name === 'invoices' ? invoiceWithItems : t.record
  recordSerializers.set(t.name, fastJson(dataOf(record) as never) as (x: unknown) => string)
  const list = { type: 'object', properties: { data: { type: 'array', items: record }, meta: { type: 'object', properties: { page: { type: 'integer' }, per_page: { type: 'integer' }, total: { type: 'integer' } } } } }
  listSerializers.set(t.name, fastJson(list as never) as (x: unknown) => string)
}

const close = async (): Promise<void> => {
  await fastify.close()
  await sql.end({ timeout: 5 })
  process.exit(0)
}
process.once('SIGTERM', () => { void close() })
process.once('SIGINT', () => { void close() })
await fastify.listen({ port: Number(env.PORT ?? 8090), host: env.HOST ?? '127.0.0.1' })
