import { quoteIdent } from '../metadata/registry.js'
import type { EntityDef, RelationDef } from '../metadata/types.js'
import { columnTypeOf } from './entity-ddl.js'

function fkName (rel: RelationDef): string {
  return quoteIdent(`${rel.name}_fk`.slice(0, 63))
}

/**
 * DDL for a new relation: a foreign key and index on the child column (one_to_many,
 * one_to_one, with a unique index for one_to_one), or the join table (many_to_many).
 * Delete policies are enforced by the engine, so constraints use NO ACTION.
 */
export function createRelationStatements (rel: RelationDef, source: EntityDef, target: EntityDef): string[] {
  const sTable = quoteIdent(source.table)
  const tTable = quoteIdent(target.table)
  if (rel.type === 'many_to_many') {
    const sKey = source.fields.find((f) => f.name === rel.source_key)
    const tKey = target.fields.find((f) => f.name === rel.target_key)
    if (sKey === undefined || tKey === undefined) return []
    const jt = rel.join_table as string
    const sj = quoteIdent(rel.source_join_key as string)
    const tj = quoteIdent(rel.target_join_key as string)
    return [
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(jt)} (
  ${sj} ${columnTypeOf(sKey)} NOT NULL REFERENCES ${sTable} (${quoteIdent(rel.source_key)}) ON DELETE CASCADE,
  ${tj} ${columnTypeOf(tKey)} NOT NULL REFERENCES ${tTable} (${quoteIdent(rel.target_key)}) ON DELETE CASCADE,
  PRIMARY KEY (${sj}, ${tj})
)`,
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${jt}_${rel.target_join_key as string}_idx`.slice(0, 63))} ON ${quoteIdent(jt)} (${tj})`
    ]
  }
  const fkCol = quoteIdent(rel.target_key)
  const stmts = [
    `ALTER TABLE ${tTable} ADD CONSTRAINT ${fkName(rel)} FOREIGN KEY (${fkCol}) REFERENCES ${sTable} (${quoteIdent(rel.source_key)})`
  ]
  const idx = quoteIdent(`${target.table}_${rel.target_key}_idx`.slice(0, 63))
  if (rel.type === 'one_to_one') {
    const live = target.soft_delete === true ? ' WHERE "deleted_at" IS NULL' : ''
    stmts.push(`CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(`${target.table}_${rel.target_key}_one`.slice(0, 63))} ON ${tTable} (${fkCol})${live}`)
  } else {
    stmts.push(`CREATE INDEX IF NOT EXISTS ${idx} ON ${tTable} (${fkCol})`)
  }
  return stmts
}

/**
 * DDL removing a relation: its foreign key. Data stays: FK columns remain, and a many-to-many
 * join table is kept (re-creating the relation with the same join_table reuses its rows).
 */
export function dropRelationStatements (rel: RelationDef, target: EntityDef): string[] {
  if (rel.type === 'many_to_many') return []
  return [`ALTER TABLE ${quoteIdent(target.table)} DROP CONSTRAINT IF EXISTS ${fkName(rel)}`,
    `DROP INDEX IF EXISTS ${quoteIdent(`${target.table}_${rel.target_key}_one`.slice(0, 63))}`]
}
