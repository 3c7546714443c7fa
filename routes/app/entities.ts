import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import type { EntityAction } from '../../lib/engine/modules.js'
import { didYouMean, invalidPayload, isApiError, notFound, unknownEntity } from '../../lib/errors.js'
import { resolveFileValue } from '../../lib/files/resolve.js'
import type { CompiledEntity, RelationEdge } from '../../lib/metadata/compiled.js'
import type { Registry } from '../../lib/metadata/registry.js'
import { aggregate, parseAggregateQuery } from '../../lib/query/aggregate.js'
import { cursorKeyOf, encodeCursor } from '../../lib/query/cursor.js'
import { getRecord, listRecords, loadIncludes, parseGetQuery, parseListQuery, type ListQuery, type ListResult, type ReadExtra } from '../../lib/query/index.js'
import { etagOf, ifMatchVersions, noneMatchHits } from '../../lib/query/etag.js'
import { VERSION_KEY } from '../../lib/query/sql.js'
import { createRecord, deleteRecord, orderAsSent, parseRecordId, updateRecord, writtenRelation, type RecordLookup, type WriteDeps } from '../../lib/write/index.js'
import { MAX_BULK, runAll, type BatchOperation } from '../../lib/write/batch.js'
import { BATCH_ROUTE } from '../../lib/write/schemas.js'
import { bulkCreate } from '../../lib/write/bulk-create.js'
import { writeIfMatch } from '../../lib/write/unit-of-work.js'
import { checkAggregateFields } from '../../lib/permissions/read-fields.js'
import { applyReadView, redactRecord } from '../../lib/permissions/read-view.js'

type EntityParams = { Params: { app: string, entity: string } }
type RecordParams = { Params: { app: string, entity: string, id: string } }

interface Target {
  app: AppContext
  registry: Registry
  entity: CompiledEntity
}

const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * The generic REST API of every entity (`/api/:app/:entity[/:id]`). Per request: look up the
 * compiled entity, let the engine modules authorize, run the compiled validator/SQL, and
 * serialize with the entity's compiled serializer.
 */
export default async function entityRoutes (fastify: FastifyInstance): Promise<void> {
  const { engine } = fastify.platform

  function target (request: FastifyRequest<EntityParams>): Target {
    const app = request.appCtx as AppContext
    // One registry per request: a concurrent metadata change cannot mix versions mid-request.
    const registry = app.registry
    const entity = registry.entities.get(request.params.entity)
    if (entity === undefined) {
      throw unknownEntity(`Unknown entity '${request.params.entity}'${didYouMean(request.params.entity, registry.entities.keys())}`)
    }
    return { app, registry, entity }
  }

  // Most modules have no `authorize`: skip them once here rather than on every request.
  const authorizers = engine.modules.filter((m) => m.authorize !== undefined)

  function authorize (t: Target, action: EntityAction, request: FastifyRequest): ReadExtra {
    let extra: ReadExtra = {}
    for (const m of authorizers) {
      const more = m.authorize?.({ app: t.app, registry: t.registry, entity: t.entity, action, user: request.user })
      if (more !== undefined) extra = mergeExtra(extra, more)
    }
    return extra
  }

  function writeDeps (t: Pick<Target, 'app' | 'registry'>, request: FastifyRequest): WriteDeps {
    return {
      sql: t.app.sql,
      registry: t.registry,
      user: request.user,
      hooks: engine.writeHooks,
      resolveFileValue,
      trace: request.trace,
      onHookError: (err, hook) => request.log.error({ err, hook }, 'after-commit hook failed')
    }
  }

  function checkIdOf (entity: CompiledEntity, id: string): string {
    checkId(entity, id)
    return id
  }

  function checkId (entity: CompiledEntity, id: string): RecordLookup {
    const lookup = parseRecordId(entity, id)
    if (lookup === null) {
      throw invalidPayload(`Malformed id '${id.slice(0, 100)}'`, [{ field: entity.pk.name, message: `must be a valid ${entity.def.primary_key.type}` }])
    }
    return lookup
  }

  /** Runs a PUT/DELETE, under `If-Match` when the request has one (docs/QUERYING.md). */
  async function conditional<T> (t: Target, request: FastifyRequest<RecordParams>, write: (deps: WriteDeps) => Promise<T>): Promise<T> {
    const lookup = checkId(t.entity, request.params.id)
    const deps = writeDeps(t, request)
    const accepted = ifMatchVersions(request.headers['if-match'])
    if (accepted === undefined) return await write(deps)
    return await writeIfMatch(deps, { entity: t.entity, lookup, accepted }, write)
  }

  function sendRecord (reply: FastifyReply, entity: CompiledEntity, row: Record<string, unknown>, status = 200): FastifyReply {
    return reply.code(status).type(JSON_TYPE).send(`{"data":${entity.serializeRecord(row)}}`)
  }

  /** The edges `include=` asks for, parsed once per request (a bulk answers many records with them). */
  function requestedEdges (t: Target, request: FastifyRequest): readonly RelationEdge[] {
    const include = (request.query as Record<string, unknown>).include
    return include === undefined ? [] : parseGetQuery(t.entity, { include }).include
  }

  /**
   * Shows on each written row the relations its response carries — the entity's eager ones, those
   * its body wrote, and `include=` — then puts them in the order sent. Children a create just wrote
   * are the relation's whole content and are not read back; the rest is read with one query per
   * edge for all rows that need the same edges (a bulk create: one per edge, not one per record).
   */
  async function showRelations (t: Target, written: ReadonlyArray<{ row: Record<string, unknown>, body: unknown }>, requested: readonly RelationEdge[], extra: ReadExtra): Promise<void> {
    const pending = new Map<string, { edges: RelationEdge[], rows: Array<Record<string, unknown>> }>()
    const always = t.entity.eagerEdges.length > 0 || requested.length > 0
    for (const { row, body } of written) {
      // Most written records show no relation (a flat bulk create): nothing made for them.
      if (!always && !namesRelation(t.entity, body)) continue
      const edges = new Set<RelationEdge>(t.entity.eagerEdges)
      if (typeof body === 'object' && body !== null) for (const key of Object.keys(body)) { const e = t.entity.edges.get(key); if (e !== undefined) edges.add(e) }
      for (const e of requested) edges.add(e)
      if (edges.size === 0) continue
      if (extra.includeWhere === undefined) {
        for (const e of edges) {
          const target = t.registry.entities.get(e.to)
          const rows = target === undefined ? undefined : writtenRelation(row, e, target)
          if (rows !== undefined) { row[e.name] = rows; edges.delete(e) }
        }
      }
      if (edges.size === 0) continue
      const list = [...edges]
      const key = list.map((e) => e.name).join(',')
      const group = pending.get(key)
      if (group === undefined) pending.set(key, { edges: list, rows: [row] })
      else group.rows.push(row)
    }
    for (const { edges, rows } of pending.values()) await loadIncludes({ sql: t.app.sql, registry: t.registry }, t.entity, rows, edges, extra)
    for (const { row } of written) orderAsSent(row, t.entity)
  }

  /** Re-reads the relations a write touched (and any requested) so the response shows them. */
  async function withRelations (t: Target, request: FastifyRequest, row: Record<string, unknown>, extra: ReadExtra, body: unknown = request.body): Promise<Record<string, unknown>> {
    await showRelations(t, [{ row, body }], requestedEdges(t, request), extra)
    return row
  }

  /**
   * The answer to a successful create/update: the record with its relations (included rows
   * filtered by read permissions) — or only its primary key when the caller may write the
   * entity but not read it, or not this row (docs/security.md, "Write responses").
   */
  async function sendWritten (reply: FastifyReply, written: { t: Target, request: FastifyRequest, row: Record<string, unknown>, status?: number }): Promise<FastifyReply> {
    const { t, request, row, status = 200 } = written
    const pkOnly = async (): Promise<FastifyReply> => {
      const pk = t.entity.pk.name
      return await reply.code(status).type(JSON_TYPE).send({ data: { [pk]: row[pk] } })
    }
    let extra: ReadExtra
    try {
      extra = authorize(t, 'read', request)
    } catch (err) {
      if (!isApiError(err) || err.code !== 'FORBIDDEN') throw err
      return await pkOnly()
    }
    if (extra.rowTest !== undefined && !extra.rowTest(row)) return await pkOnly()
    const shown = await withRelations(t, request, row, extra)
    if (extra.fields !== undefined) redactRecord(t.registry.entities, t.entity, shown, extra.fields)
    return sendRecord(reply, t.entity, shown, status)
  }

  fastify.get<EntityParams>('/:entity', async (request, reply) => {
    const t = target(request)
    const extra = authorize(t, 'read', request)
    const cursorKey = cursorKeyOf(t.app.jwtSecret)
    const q = parseListQuery(t.entity, request.query as Record<string, unknown>, { entities: t.registry.entities, cursorKey })
    const redact = applyReadView(t.registry.entities, t.entity, q, extra)
    const result = await fastify.readFrom(request, t.app, async (sql) => await listRecords({ sql, registry: t.registry }, t.entity, q, extra))
    const serialize = q.select?.serialize ?? t.entity.serializeRecord
    const rows = result.rows
    redact?.(rows)
    let out = '{"data":['
    for (let i = 0; i < rows.length; i++) out += (i === 0 ? '' : ',') + serialize(rows[i] as Record<string, unknown>)
    return await reply.type(JSON_TYPE).send(`${out}],"meta":${listMeta(t.entity, q, result, cursorKey)}}`)
  })

  fastify.get<EntityParams>('/:entity/_aggregate', async (request, reply) => {
    const t = target(request)
    const extra = authorize(t, 'read', request)
    const q = parseAggregateQuery(t.entity, t.registry.entities, request.query as Record<string, unknown>)
    if (extra.fields !== undefined) checkAggregateFields(t.entity, q, extra.fields)
    const data = await fastify.readFrom(request, t.app, async (sql) => await aggregate({ sql, registry: t.registry }, t.entity, q, extra))
    return await reply.type(JSON_TYPE).send(JSON.stringify({ data, meta: { groups: data.length } }))
  })

  fastify.get<RecordParams>('/:entity/:id', async (request, reply) => {
    const t = target(request)
    const extra = authorize(t, 'read', request)
    const g = parseGetQuery(t.entity, request.query as Record<string, unknown>, t.registry.entities)
    const redact = applyReadView(t.registry.entities, t.entity, g, extra)
    const { include, select } = g
    const row = await fastify.readFrom(request, t.app, async (sql) => await getRecord({ sql, registry: t.registry }, t.entity, request.params.id, include, extra, select))
    if (row === null) throw notFound(`${t.entity.name} '${request.params.id}' not found`)
    redact?.([row])
    const body = `{"data":${(select?.serialize ?? t.entity.serializeRecord)(row)}}`
    const etag = etagOf(String(row[VERSION_KEY]), body)
    reply.header('etag', etag)
    if (noneMatchHits(request.headers['if-none-match'], etag)) return await reply.code(304).send()
    return await reply.type(JSON_TYPE).send(body)
  })

  /** A written record as the caller may see it (serialized): relations shown, or the PK alone without read access. */
  async function written (t: Target, request: FastifyRequest, row: Record<string, unknown>, body: unknown): Promise<string> {
    return (await writtenList(t, request, [row], [body]))[0] as string
  }

  /**
   * Written records as the caller may see them, serialized, in order: read access is authorized
   * once for all of them, each row passes the policy's row test or shows its primary key alone
   * (docs/security.md, "Write responses"), and relations are loaded once per edge (`showRelations`).
   */
  async function writtenList (t: Target, request: FastifyRequest, rows: ReadonlyArray<Record<string, unknown>>, bodies: readonly unknown[]): Promise<string[]> {
    const pk = t.entity.pk.name
    const pkOnly = (row: Record<string, unknown>): string => JSON.stringify({ [pk]: row[pk] })
    let extra: ReadExtra
    try {
      extra = authorize(t, 'read', request)
    } catch (err) {
      if (!isApiError(err) || err.code !== 'FORBIDDEN') throw err
      return rows.map(pkOnly)
    }
    const { rowTest } = extra
    const visible = rows.map((row) => rowTest === undefined || rowTest(row))
    const shown: Array<{ row: Record<string, unknown>, body: unknown }> = []
    for (let i = 0; i < rows.length; i++) if (visible[i] === true) shown.push({ row: rows[i] as Record<string, unknown>, body: bodies[i] })
    await showRelations(t, shown, requestedEdges(t, request), extra)
    const serialize = t.entity.serializeRecord
    return rows.map((row, i) => {
      if (visible[i] !== true) return pkOnly(row)
      if (extra.fields !== undefined) redactRecord(t.registry.entities, t.entity, row, extra.fields)
      return serialize(row)
    })
  }

  fastify.post<{ Body: { operations: BatchOperation[] } }>('/_batch', { schema: BATCH_ROUTE }, async (request, reply) => {
    const ops = request.body.operations
    const app = request.appCtx as AppContext
    const registry = app.registry
    const actions = { POST: 'create', PUT: 'update', DELETE: 'delete' } as const
    const deps = writeDeps({ app, registry }, request)
    const results = await runAll(deps, ops, 'operation', async (op, joined) => {
      const entity = registry.entities.get(op.entity)
      if (entity === undefined) throw unknownEntity(`Unknown entity '${op.entity}'${didYouMean(op.entity, registry.entities.keys())}`)
      const t: Target = { app, registry, entity }
      authorize(t, actions[op.method], request)
      if (op.method === 'DELETE') return { t, op, row: await deleteRecord(joined, entity, checkIdOf(entity, op.id as string)) }
      const row = op.method === 'POST' ? await createRecord(joined, entity, op.body) : await updateRecord(joined, entity, checkIdOf(entity, op.id as string), op.body)
      return { t, op, row }
    })
    const parts: string[] = []
    for (const r of results) {
      const status = r.op.method === 'POST' ? 201 : 200
      const data = r.op.method === 'DELETE' ? JSON.stringify({ id: (r.row as { id: unknown }).id }) : await written(r.t, request, r.row as Record<string, unknown>, r.op.body)
      parts.push(`{"method":"${r.op.method}","entity":${JSON.stringify(r.op.entity)},"status":${status},"data":${data}}`)
    }
    return await reply.type(JSON_TYPE).send(`{"data":[${parts.join(',')}]}`)
  })

  fastify.post<EntityParams>('/:entity', async (request, reply) => {
    const t = target(request)
    authorize(t, 'create', request)
    if (Array.isArray(request.body)) {
      const items = request.body as unknown[]
      if (items.length === 0 || items.length > MAX_BULK) throw invalidPayload(`A bulk create takes 1 to ${MAX_BULK} records`, [{ field: 'body', message: `1 to ${MAX_BULK} records` }])
      const rows = await bulkCreate(writeDeps(t, request), t.entity, items)
      const out = await writtenList(t, request, rows, items)
      return await reply.code(201).type(JSON_TYPE).send(`{"data":[${out.join(',')}]}`)
    }
    const row = await createRecord(writeDeps(t, request), t.entity, request.body)
    return await sendWritten(reply, { t, request, row, status: 201 })
  })

  fastify.put<RecordParams>('/:entity/:id', async (request, reply) => {
    const t = target(request)
    authorize(t, 'update', request)
    const row = await conditional(t, request, async (deps) => await updateRecord(deps, t.entity, request.params.id, request.body))
    return await sendWritten(reply, { t, request, row })
  })

  fastify.delete<RecordParams>('/:entity/:id', async (request, reply) => {
    const t = target(request)
    authorize(t, 'delete', request)
    const { id } = await conditional(t, request, async (deps) => await deleteRecord(deps, t.entity, request.params.id))
    return await reply.type(JSON_TYPE).send({ data: { id } })
  })
}

/** Whether a write body has a key naming one of the entity's relations. */
function namesRelation (entity: CompiledEntity, body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false
  for (const key in body) if (entity.edges.has(key)) return true
  return false
}

/** `{page, per_page, total}`; keyset pages: `{per_page, next_cursor, total}`; `total` absent with count=none. */
function listMeta (entity: CompiledEntity, q: ListQuery, result: ListResult, cursorKey: Buffer): string {
  const parts: string[] = []
  if (q.keyset === undefined) parts.push(`"page":${q.page}`)
  parts.push(`"per_page":${q.perPage}`)
  if (q.keyset !== undefined) {
    const next = result.next === undefined || result.next === null ? null : encodeCursor(cursorKey, entity, q.keyset.terms, result.next)
    parts.push(`"next_cursor":${JSON.stringify(next)}`)
  }
  if (result.total !== null) parts.push(`"total":${result.total}`)
  if (result.estimated) parts.push('"total_estimated":true')
  return `{${parts.join(',')}}`
}

function mergeExtra (a: ReadExtra, b: ReadExtra): ReadExtra {
  const where = [...(a.where ?? []), ...(b.where ?? [])]
  const fa = a.includeWhere
  const fb = b.includeWhere
  const includeWhere = fa === undefined ? fb : fb === undefined ? fa : (name: string) => [...fa(name), ...fb(name)]
  const ta = a.rowTest
  const tb = b.rowTest
  const rowTest = ta === undefined ? tb : tb === undefined ? ta : (row: Readonly<Record<string, unknown>>) => ta(row) && tb(row)
  const fields = a.fields ?? b.fields
  return { ...(where.length > 0 ? { where } : {}), ...(includeWhere !== undefined ? { includeWhere } : {}), ...(rowTest !== undefined ? { rowTest } : {}), ...(fields !== undefined ? { fields } : {}) }
}
