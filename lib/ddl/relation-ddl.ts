import { qualifiedName, quoteIdent } from '../db/identifiers.js'
import type { EntityDef, RelationDef } from '../metadata/types.js'
import { columnTypeOf, createIndexStatement } from './entity-ddl.js'
import { relationIndex } from './index-names.js'

function fkName (rel: RelationDef): string {
  return quoteIdent(`${rel.name}_fk`.slice(0, 63))
}

/**
 * DDL for a new relation: a foreign key and index on the child column (one_to_many,
 * one_to_one, with a unique index for one_to_one), or the join table (many_to_many).
 * Delete policies are enforced by the engine, so constraints use NO ACTION.
 */
export function createRelationStatements (rel: RelationDef, source: EntityDef, target: EntityDef): string[] {
  const sTable = qualifiedName(source.table)
  const tTable = qualifiedName(target.table)
  const index = createIndexStatement(relationIndex(rel, target))
  if (rel.type === 'many_to_many') {
    const sKey = source.fields.find((f) => f.name === rel.source_key)
    const tKey = target.fields.find((f) => f.name === rel.target_key)
    if (sKey === undefined || tKey === undefined) return []
    const jt = rel.join_table as string
    const sj = quoteIdent(rel.source_join_key as string)
    const tj = quoteIdent(rel.target_join_key as string)
    return [
      `CREATE TABLE IF NOT EXISTS ${qualifiedName(jt)} (
  ${sj} ${columnTypeOf(sKey)} NOT NULL REFERENCES ${sTable} (${quoteIdent(rel.source_key)}) ON DELETE CASCADE,
  ${tj} ${columnTypeOf(tKey)} NOT NULL REFERENCES ${tTable} (${quoteIdent(rel.target_key)}) ON DELETE CASCADE,
  PRIMARY KEY (${sj}, ${tj})
)`,
      index
    ]
  }
  const fkCol = quoteIdent(rel.target_key)
  return [
    `ALTER TABLE ${tTable} ADD CONSTRAINT ${fkName(rel)} FOREIGN KEY (${fkCol}) REFERENCES ${sTable} (${quoteIdent(rel.source_key)})`,
    index
  ]
}

/**
 * DDL removing a relation: its foreign key. Data stays: FK columns remain, and a many-to-many
 * join table is kept (re-creating the relation with the same join_table reuses its rows).
 */
export function dropRelationStatements (rel: RelationDef, target: EntityDef): string[] {
  if (rel.type === 'many_to_many') return []
  const stmts = [`ALTER TABLE ${qualifiedName(target.table)} DROP CONSTRAINT IF EXISTS ${fkName(rel)}`]
  if (rel.type === 'one_to_one') stmts.push(`DROP INDEX IF EXISTS ${qualifiedName(relationIndex(rel, target).name)}`)
  return stmts
}
