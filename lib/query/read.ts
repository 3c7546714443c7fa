import { invalidPayload } from '../errors.js'
import type { CompiledEntity, CompiledField, RelationEdge } from '../metadata/compiled.js'
import { loadIncludes, loadSelected } from './includes.js'
import type { Selection } from './selection.js'
import { sharedGet } from './shared-get.js'
import { buildGetSql, buildPageWithTotalSql, namesOf } from './sql.js'
import { listWithModes } from './list-modes.js'
import type { ListQuery, ListResult, ReadDeps, ReadExtra, SqlText } from './types.js'

type Row = Record<string, unknown>

function run (deps: ReadDeps, q: SqlText): Promise<Row[]> {
  // Prepared per connection: the text is stable per query shape, values are parameters.
  return deps.sql.unsafe<Row[]>(q.text, q.params as never[], { prepare: true })
}

/** Requested edges plus the entity's eager ones (docs/reference.md, "Reading": eager relations are always included). */
function edgesToLoad (entity: CompiledEntity, requested: readonly RelationEdge[]): readonly RelationEdge[] {
  if (requested.length === 0) return entity.eagerEdges
  if (entity.eagerEdges.length === 0) return requested
  const out = requested.slice()
  for (const e of entity.eagerEdges) if (!out.includes(e)) out.push(e)
  return out
}

/**
 * One page of live records matching `q` (and the permission conditions in `extra.where`),
 * with includes attached, and the total number of matching records, in one statement.
 * A page beyond the last one returns no rows and the true total.
 */
export async function listRecords (deps: ReadDeps, entity: CompiledEntity, q: ListQuery, extra: ReadExtra = {}): Promise<ListResult> {
  const columns = q.select?.columns
  const input = { filters: q.filters, where: extra.where, readWhere: extra.includeWhere, sort: q.sort, limit: q.perPage, offset: (q.page - 1) * q.perPage, columns, rank: q.search }
  if (q.keyset !== undefined || (q.count !== undefined && q.count !== 'exact')) {
    const result = await listWithModes(deps, entity, q, input)
    await attach(deps, entity, result.rows, q.include, q.select, extra)
    return result
  }
  const { text, params } = buildPageWithTotalSql(entity, input)
  const result = await deps.sql.unsafe(text, params as never[], { prepare: true }).values()
  const { names, pkIndex } = namesOf(entity, columns)
  const rows: Row[] = []
  let total = 0
  // Built from raw values (as postgres.js would) so the total column never lands in a row.
  for (const values of result) {
    total = Number(values[0])
    if (values[pkIndex + 1] === null) continue
    const row: Row = {}
    for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i + 1]
    rows.push(row)
  }
  await attach(deps, entity, rows, q.include, q.select, extra)
  return { rows, total, estimated: false }
}

/** Includes of a selection (nested, with their field sets), or the requested and eager edges. */
async function attach (deps: ReadDeps, entity: CompiledEntity, rows: Row[], include: readonly RelationEdge[], select: Selection | undefined, extra: ReadExtra): Promise<void> {
  if (select !== undefined) await loadSelected(deps, entity, rows, select.includes, extra)
  else await loadIncludes(deps, entity, rows, edgesToLoad(entity, include), extra)
}

async function findBy (deps: ReadDeps, entity: CompiledEntity, field: CompiledField, value: unknown, extra: ReadExtra, select?: Selection): Promise<Row | null> {
  const single = buildGetSql(entity, field, value, extra.where, select?.columns, true)
  // By primary key, concurrent reads of the same shape share one query.
  if (field === entity.pk) return await sharedGet(deps.sql, { entity, field, value, single, where: extra.where, columns: select?.columns })
  const rows = await run(deps, single)
  return rows[0] ?? null
}

/**
 * One live record by primary key or, where `idOrSlug` does not parse as the PK type and the
 * entity has a slug, by slug (a string PK is tried first, then the slug). Eager edges and
 * `include` are attached; the row carries its version under VERSION_KEY (ETags). Returns null when no visible record matches (→ NOT_FOUND); an id
 * that is neither a valid PK nor a possible slug is INVALID_PAYLOAD.
 */
export async function getRecord (deps: ReadDeps, entity: CompiledEntity, idOrSlug: string, include: readonly RelationEdge[], extra: ReadExtra = {}, select?: Selection): Promise<Row | null> {
  if (idOrSlug.includes('\u0000')) throw invalidPayload('Malformed id', [{ field: entity.pk.name, message: 'must not contain NUL characters' }])
  const pk = entity.pk.spec.parseKey(idOrSlug)
  const slugField = entity.def.slug !== undefined ? entity.fields.get(entity.def.slug.field) : undefined
  if (pk === undefined && slugField === undefined) {
    // Checked here so that a malformed id never reaches PostgreSQL as a failing cast.
    const message = entity.pk.spec.primaryKey?.malformed ?? 'must be a valid key'
    throw invalidPayload(`Malformed id '${idOrSlug.slice(0, 100)}'`, [{ field: entity.pk.name, message }])
  }
  let row = pk === undefined ? null : await findBy(deps, entity, entity.pk, pk, extra, select)
  // Every text is a text key: a miss on one may still be a slug.
  if (row === null && slugField !== undefined && (pk === undefined || entity.pk.spec.textual)) {
    row = await findBy(deps, entity, slugField, idOrSlug, extra, select)
  }
  if (row === null) return null
  await attach(deps, entity, [row], include, select, extra)
  return row
}
