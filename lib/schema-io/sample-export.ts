import type { AppContext } from '../apps/context.js'
import { qualifiedName } from '../db/identifiers.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import { quoteIdent } from '../metadata/registry.js'
import type { RelationDef } from '../metadata/types.js'
import { dependencyOrder } from './order.js'
import type { Item } from './types.js'

/**
 * One row as a create payload: the PK and every writable field (auto timestamps and
 * `deleted_at` are set by the engine on import, so they are left out); timestamps as ISO text.
 */
function rowPayload (entity: CompiledEntity, row: Item): Item {
  const out: Item = {}
  for (const f of entity.fieldList) {
    if (!f.isPk && !f.writable) continue
    const v = row[f.name]
    out[f.name] = v instanceof Date ? v.toISOString() : v ?? null
  }
  return out
}

async function entityRows (app: AppContext, entity: CompiledEntity): Promise<Item[]> {
  const live = entity.liveCondition === '' ? '' : ` WHERE ${entity.liveCondition}`
  const rows = await app.sql.unsafe<Item[]>(`SELECT ${entity.selectColumns} FROM ${entity.table}${live} ORDER BY ${entity.pk.column}`)
  return rows.map((r) => rowPayload(entity, r))
}

/** `EXISTS` of a live row of `entity` whose `key` equals the join column `column` (soft-deleted rows are not exported). */
function liveSide (entity: CompiledEntity, key: string, column: string): string {
  const live = entity.liveCondition === '' ? '' : ` AND e.${entity.liveCondition}`
  return `EXISTS (SELECT 1 FROM ${entity.table} e WHERE e.${quoteIdent(key)} = j.${quoteIdent(column)}${live})`
}

async function joinRows (app: AppContext, rel: RelationDef): Promise<Item[] | null> {
  const source = app.registry.entities.get(rel.source)
  const target = app.registry.entities.get(rel.target)
  const { join_table: table, source_join_key: sj, target_join_key: tj } = rel
  if (source === undefined || target === undefined || table === undefined || sj === undefined || tj === undefined) return null
  const text = `SELECT j.${quoteIdent(sj)} AS s, j.${quoteIdent(tj)} AS t FROM ${qualifiedName(table)} j
    WHERE ${liveSide(source, rel.source_key, sj)} AND ${liveSide(target, rel.target_key, tj)} ORDER BY 1, 2`
  const rows = await app.sql.unsafe<Array<{ s: unknown, t: unknown }>>(text)
  return rows.map((r) => ({ [sj]: r.s, [tj]: r.t }))
}

/**
 * Live rows of every entity (dependency order, by PK) keyed by entity name, and join rows of
 * every many_to_many relation keyed by relation name — the `sample_data` of an export.
 */
export async function exportSampleData (app: AppContext): Promise<Record<string, Item[]>> {
  const registry = app.registry
  const out: Record<string, Item[]> = {}
  for (const name of dependencyOrder([...registry.entities.keys()], registry.relationDefs)) {
    out[name] = await entityRows(app, registry.entities.get(name) as CompiledEntity)
  }
  for (const rel of registry.relationDefs) {
    // A relation named like an entity cannot share its key (rows of the entity win on import too).
    if (rel.type !== 'many_to_many' || out[rel.name] !== undefined) continue
    const rows = await joinRows(app, rel)
    if (rows !== null) out[rel.name] = rows
  }
  return out
}
