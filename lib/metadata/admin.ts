import type { AppContext } from '../apps/context.js'
import type { TransactionSql } from '../db/connection.js'
import { qualifiedName } from '../db/identifiers.js'
import { translatePgError } from '../db/pg-errors.js'
import { alterTableStatements, createTableStatements } from '../ddl/entity-ddl.js'
import { verifyIndexes } from '../ddl/index-check.js'
import { entityIndexes, relationIndex } from '../ddl/index-names.js'
import { tableColumns, tableExists } from '../ddl/introspect.js'
import { searchStatements } from '../ddl/search-ddl.js'
import { syncDeclaredIndexes } from '../ddl/declared-indexes.js'
import { createRelationStatements, dropRelationStatements } from '../ddl/relation-ddl.js'
import { conflict, notFound, validationFailed } from '../errors.js'
import { checkAppSchemaLimits } from './limits.js'
import { loadMetadata, lockMetadata, saveEntityRow, saveRelationRow, type MetadataSnapshot } from './store.js'
import type { EntityDef, RelationDef } from './types.js'
import { validateEntityDef } from './validate-entity.js'
import { validateRelationDef } from './validate-relation.js'

/**
 * Runs one metadata change: lock, read current metadata, apply DDL + metadata rows in the same
 * transaction, then rebuild the app's registry. DDL errors become 4xx where they are the
 * client's doing (e.g. a unique index over duplicate data).
 */
async function change<T> (app: AppContext, work: (tx: TransactionSql, current: MetadataSnapshot) => Promise<T>): Promise<T> {
  let result: T
  try {
    result = await app.sql.begin(async (tx) => {
      await lockMetadata(tx)
      return await work(tx, await loadMetadata(tx))
    }) as T
  } catch (err) {
    const api = translatePgError(err)
    if (api !== null) {
      throw api.statusCode === 409
        ? validationFailed('Existing data violates the new definition', [{ rule: api.details?.[0]?.rule ?? 'unique', message: api.message, field: api.details?.[0]?.field }])
        : api
    }
    throw err
  }
  await app.reload()
  return result
}

async function runAll (tx: TransactionSql, statements: string[]): Promise<void> {
  // DDL cannot take bind parameters; every identifier here comes from validated metadata.
  for (const s of statements) await tx.unsafe(s)
}

async function runRelationDdl (tx: TransactionSql, def: RelationDef, entities: Map<string, EntityDef>): Promise<void> {
  const target = entities.get(def.target) as EntityDef
  await runAll(tx, createRelationStatements(def, entities.get(def.source) as EntityDef, target))
  await verifyIndexes(tx, [relationIndex(def, target)])
}

export async function createEntity (app: AppContext, input: unknown): Promise<EntityDef> {
  const def = validateEntityDef(input)
  const created = await change(app, async (tx, current) => {
    if (current.entities.some((e) => e.name === def.name)) throw conflict(`Entity '${def.name}' already exists`, [{ field: 'name', rule: 'unique', message: 'name is taken' }])
    if (current.entities.some((e) => e.table === def.table) || await tableExists(tx, def.table) ||
      current.relations.some((r) => r.join_table === def.table)) {
      throw conflict(`Table '${def.table}' already exists`, [{ field: 'table', rule: 'unique', message: 'table is taken' }])
    }
    checkAppSchemaLimits(current, def)
    await runAll(tx, [...createTableStatements(def), ...searchStatements(null, def)])
    await verifyIndexes(tx, entityIndexes(def))
    await saveEntityRow(tx, def, true)
    return def
  })
  // Declared indexes build CONCURRENTLY, which cannot run in the change's transaction.
  void syncDeclaredIndexes(app, null, created).catch(() => {})
  return created
}

export async function updateEntity (app: AppContext, name: string, input: unknown): Promise<EntityDef> {
  const merged = typeof input === 'object' && input !== null && !Array.isArray(input) ? { name, ...input } : input
  const def = validateEntityDef(merged)
  if (def.name !== name) throw validationFailed('Entity name cannot be changed', [{ field: 'name', rule: 'immutable', message: 'the name in the body must match the URL' }])
  let previous: EntityDef | null = null
  const updated = await change(app, async (tx, current) => {
    const before = current.entities.find((e) => e.name === name)
    if (before === undefined) throw notFound(`Entity '${name}' not found`)
    previous = before
    if ((input as Record<string, unknown>).table === undefined) def.table = before.table
    checkRelationKeysKept(def, current.relations)
    checkAppSchemaLimits(current, def)
    await runAll(tx, [...alterTableStatements(before, def, await tableColumns(tx, before.table)), ...searchStatements(before, def)])
    await verifyIndexes(tx, entityIndexes(def))
    await saveEntityRow(tx, def, false)
    return def
  })
  void syncDeclaredIndexes(app, previous, updated).catch(() => {})
  return updated
}

/** Fields used as relation keys cannot disappear or change type family under the relation. */
function checkRelationKeysKept (def: EntityDef, relations: RelationDef[]): void {
  for (const r of relations) {
    const keys = [r.source === def.name ? r.source_key : null, r.target === def.name ? r.target_key : null]
    for (const key of keys) {
      if (key !== null && !def.fields.some((f) => f.name === key)) {
        throw validationFailed('Field is used by a relation', [{ field: `fields.${key}`, rule: 'in_use', message: `${key} is a key of relation '${r.name}'` }])
      }
    }
  }
}

export async function deleteEntity (app: AppContext, name: string, opts: { drop: boolean }): Promise<void> {
  await change(app, async (tx, current) => {
    const def = current.entities.find((e) => e.name === name)
    if (def === undefined) throw notFound(`Entity '${name}' not found`)
    for (const rel of current.relations.filter((r) => r.source === name || r.target === name)) {
      const target = current.entities.find((e) => e.name === rel.target)
      if (target !== undefined) await runAll(tx, dropRelationStatements(rel, target))
      if (opts.drop && rel.type === 'many_to_many') await tx.unsafe(`DROP TABLE IF EXISTS ${qualifiedName(rel.join_table as string)}`)
      await tx`DELETE FROM _relations WHERE name = ${rel.name}`
    }
    await tx`DELETE FROM _entities WHERE name = ${name}`
    if (opts.drop) await tx.unsafe(`DROP TABLE IF EXISTS ${qualifiedName(def.table)} CASCADE`)
  })
}

export async function createRelation (app: AppContext, input: unknown): Promise<RelationDef> {
  return await change(app, async (tx, current) => {
    const entities = new Map(current.entities.map((e) => [e.name, e]))
    const name = (input as { name?: unknown } | null)?.name
    if (typeof name === 'string' && current.relations.some((r) => r.name === name)) {
      throw conflict(`Relation '${name}' already exists`, [{ field: 'name', rule: 'unique', message: 'name is taken' }])
    }
    const def = validateRelationDef(input, entities, current.relations)
    if (def.type === 'many_to_many' && await tableExists(tx, def.join_table as string)) {
      throw conflict(`Table '${String(def.join_table)}' already exists`, [{ field: 'join_table', rule: 'unique', message: 'join_table is taken' }])
    }
    await runRelationDdl(tx, def, entities)
    await saveRelationRow(tx, def, true)
    return def
  })
}

export async function updateRelation (app: AppContext, name: string, input: unknown): Promise<RelationDef> {
  return await change(app, async (tx, current) => {
    const before = current.relations.find((r) => r.name === name)
    if (before === undefined) throw notFound(`Relation '${name}' not found`)
    const entities = new Map(current.entities.map((e) => [e.name, e]))
    const merged = typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...before, ...input, name } : input
    const def = validateRelationDef(merged, entities, current.relations.filter((r) => r.name !== name))
    const structural = ['type', 'source', 'target', 'source_key', 'target_key', 'join_table', 'source_join_key', 'target_join_key'] as const
    if (structural.some((k) => before[k] !== def[k])) {
      await runAll(tx, dropRelationStatements(before, entities.get(before.target) as EntityDef))
      await runRelationDdl(tx, def, entities)
    }
    await saveRelationRow(tx, def, false)
    return def
  })
}

export async function deleteRelation (app: AppContext, name: string): Promise<void> {
  await change(app, async (tx, current) => {
    const rel = current.relations.find((r) => r.name === name)
    if (rel === undefined) throw notFound(`Relation '${name}' not found`)
    const target = current.entities.find((e) => e.name === rel.target)
    if (target !== undefined) await runAll(tx, dropRelationStatements(rel, target))
    await tx`DELETE FROM _relations WHERE name = ${name}`
  })
}
