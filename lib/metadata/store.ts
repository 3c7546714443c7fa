import type { Sql, TransactionSql } from '../db/connection.js'
import type { EntityDef, RelationDef } from './types.js'

/** Metadata rows as stored in the app database. */
export interface MetadataSnapshot {
  entities: EntityDef[]
  relations: RelationDef[]
}

/** Reads all entity and relation definitions (ordered by creation for stable output). */
export async function loadMetadata (sql: Sql | TransactionSql): Promise<MetadataSnapshot> {
  const [entities, relations] = await Promise.all([
    sql<{ definition: EntityDef }[]>`SELECT definition FROM _entities ORDER BY created_at, name`,
    sql<{ definition: RelationDef }[]>`SELECT definition FROM _relations ORDER BY created_at, name`
  ])
  return { entities: entities.map((r) => r.definition), relations: relations.map((r) => r.definition) }
}

/**
 * Serializes metadata changes of one app: concurrent admin writes queue on this
 * transaction-scoped advisory lock instead of interleaving their DDL.
 */
export async function lockMetadata (tx: TransactionSql): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(7263501)`
}

export async function saveEntityRow (tx: TransactionSql, def: EntityDef, isNew: boolean): Promise<void> {
  if (isNew) {
    await tx`INSERT INTO _entities (name, table_name, definition) VALUES (${def.name}, ${def.table}, ${tx.json(def as never)})`
  } else {
    await tx`UPDATE _entities SET definition = ${tx.json(def as never)}, updated_at = now() WHERE name = ${def.name}`
  }
}

export async function saveRelationRow (tx: TransactionSql, def: RelationDef, isNew: boolean): Promise<void> {
  if (isNew) {
    await tx`INSERT INTO _relations (name, source, target, definition) VALUES (${def.name}, ${def.source}, ${def.target}, ${tx.json(def as never)})`
  } else {
    await tx`UPDATE _relations SET source = ${def.source}, target = ${def.target}, definition = ${tx.json(def as never)}, updated_at = now() WHERE name = ${def.name}`
  }
}
