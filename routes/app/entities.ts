import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import type { EntityAction } from '../../lib/engine/modules.js'
import { didYouMean, invalidPayload, isApiError, notFound, unknownEntity } from '../../lib/errors.js'
import { resolveFileValue } from '../../lib/files/resolve.js'
import type { CompiledEntity, RelationEdge } from '../../lib/metadata/compiled.js'
import type { Registry } from '../../lib/metadata/registry.js'
import { getRecord, listRecords, loadIncludes, parseGetQuery, parseListQuery, type ReadExtra } from '../../lib/query/index.js'
import { createRecord, deleteRecord, parseRecordId, updateRecord, writtenRelation, type WriteDeps } from '../../lib/write/index.js'

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

  function writeDeps (t: Target, request: FastifyRequest): WriteDeps {
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

  function checkId (entity: CompiledEntity, id: string): void {
    if (parseRecordId(entity, id) === null) {
      throw invalidPayload(`Malformed id '${id.slice(0, 100)}'`, [{ field: entity.pk.name, message: `must be a valid ${entity.def.primary_key.type}` }])
    }
  }

  function sendRecord (reply: FastifyReply, entity: CompiledEntity, row: Record<string, unknown>, status = 200): FastifyReply {
    return reply.code(status).type(JSON_TYPE).send(`{"data":${entity.serializeRecord(row)}}`)
  }

  /** Re-reads the relations a write touched (and any requested) so the response shows them. */
  async function withRelations (t: Target, request: FastifyRequest, row: Record<string, unknown>, extra: ReadExtra): Promise<Record<string, unknown>> {
    const edges = new Set<RelationEdge>(t.entity.eagerEdges)
    const body = request.body
    if (typeof body === 'object' && body !== null) for (const key of Object.keys(body)) { const e = t.entity.edges.get(key); if (e !== undefined) edges.add(e) }
    const include = (request.query as Record<string, unknown>).include
    if (include !== undefined) for (const e of parseGetQuery(t.entity, { include }).include) edges.add(e)
    // Children a create just wrote are the relation's whole content: no need to read them back.
    if (extra.includeWhere === undefined) {
      for (const e of edges) {
        const target = t.registry.entities.get(e.to)
        const rows = target === undefined ? undefined : writtenRelation(row, e, target)
        if (rows !== undefined) { row[e.name] = rows; edges.delete(e) }
      }
    }
    if (edges.size > 0) await loadIncludes({ sql: t.app.sql, registry: t.registry }, t.entity, [row], [...edges], extra)
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
    return sendRecord(reply, t.entity, await withRelations(t, request, row, extra), status)
  }

  fastify.get<EntityParams>('/:entity', async (request, reply) => {
    const t = target(request)
    const extra = authorize(t, 'read', request)
    const q = parseListQuery(t.entity, request.query as Record<string, unknown>)
    const { rows, total } = await listRecords({ sql: t.app.sql, registry: t.registry }, t.entity, q, extra)
    let out = '{"data":['
    for (let i = 0; i < rows.length; i++) out += (i === 0 ? '' : ',') + t.entity.serializeRecord(rows[i] as Record<string, unknown>)
    out += `],"meta":{"page":${q.page},"per_page":${q.perPage},"total":${total}}}`
    return await reply.type(JSON_TYPE).send(out)
  })

  fastify.get<RecordParams>('/:entity/:id', async (request, reply) => {
    const t = target(request)
    const extra = authorize(t, 'read', request)
    const { include } = parseGetQuery(t.entity, request.query as Record<string, unknown>)
    const row = await getRecord({ sql: t.app.sql, registry: t.registry }, t.entity, request.params.id, include, extra)
    if (row === null) throw notFound(`${t.entity.name} '${request.params.id}' not found`)
    return sendRecord(reply, t.entity, row)
  })

  fastify.post<EntityParams>('/:entity', async (request, reply) => {
    const t = target(request)
    authorize(t, 'create', request)
    const row = await createRecord(writeDeps(t, request), t.entity, request.body)
    return await sendWritten(reply, { t, request, row, status: 201 })
  })

  fastify.put<RecordParams>('/:entity/:id', async (request, reply) => {
    const t = target(request)
    authorize(t, 'update', request)
    checkId(t.entity, request.params.id)
    const row = await updateRecord(writeDeps(t, request), t.entity, request.params.id, request.body)
    return await sendWritten(reply, { t, request, row })
  })

  fastify.delete<RecordParams>('/:entity/:id', async (request, reply) => {
    const t = target(request)
    authorize(t, 'delete', request)
    checkId(t.entity, request.params.id)
    const { id } = await deleteRecord(writeDeps(t, request), t.entity, request.params.id)
    return await reply.type(JSON_TYPE).send({ data: { id } })
  })
}

function mergeExtra (a: ReadExtra, b: ReadExtra): ReadExtra {
  const where = [...(a.where ?? []), ...(b.where ?? [])]
  const fa = a.includeWhere
  const fb = b.includeWhere
  const includeWhere = fa === undefined ? fb : fb === undefined ? fa : (name: string) => [...fa(name), ...fb(name)]
  const ta = a.rowTest
  const tb = b.rowTest
  const rowTest = ta === undefined ? tb : tb === undefined ? ta : (row: Readonly<Record<string, unknown>>) => ta(row) && tb(row)
  return { ...(where.length > 0 ? { where } : {}), ...(includeWhere !== undefined ? { includeWhere } : {}), ...(rowTest !== undefined ? { rowTest } : {}) }
}
