import type { Sql, TransactionSql } from '../db/connection.js'
import { qualifiedName, quoteIdent } from '../db/identifiers.js'
import { lockMetadata, type MetadataSnapshot } from '../metadata/store.js'
import { createIndexStatement } from './entity-ddl.js'
import { existingIndexes, sameIndex, type ExistingIndex } from './index-check.js'
import { entityIndexes, relationIndex, type IndexSpec } from './index-names.js'

interface Log { warn: (msg: string) => void }

function expectedIndexes (meta: MetadataSnapshot): IndexSpec[] {
  const byName = new Map<string, IndexSpec>()
  for (const e of meta.entities) for (const s of entityIndexes(e)) byName.set(s.name, s)
  const entities = new Map(meta.entities.map((e) => [e.name, e]))
  for (const r of meta.relations) {
    const target = entities.get(r.target)
    if (target !== undefined && entities.has(r.source)) {
      const s = relationIndex(r, target)
      byName.set(s.name, s)
    }
  }
  return [...byName.values()]
}

/**
 * Brings an app's indexes to the collision-free names (lib/ddl/index-names.ts), at startup.
 * An index under its old name (`<table>_<field>_key`...) on the expected table and columns is
 * renamed; an expected index that is missing — an old name once shared by two entities left
 * one of them without its index — is created, or reported when the data prevents it
 * (duplicates in a field that was never really unique). Cheap when nothing is left to do:
 * one catalog query.
 */
export async function migrateIndexNames (sql: Sql, meta: MetadataSnapshot, log: Log): Promise<void> {
  const specs = expectedIndexes(meta)
  if (specs.length === 0) return
  const found = await existingIndexes(sql, specs.map((s) => s.name))
  if (specs.every((s) => isInPlace(found.get(s.name), s))) return
  await sql.begin(async (tx) => {
    // Serialised with metadata changes and with other processes starting at the same time.
    await lockMetadata(tx)
    const all = await existingIndexes(tx, null)
    const renamed = new Set<string>()
    for (const spec of specs) {
      const current = all.get(spec.name)
      if (current !== undefined) {
        if (!isInPlace(current, spec)) log.warn(`index ${spec.name} expected on ${spec.table} (${spec.columns.join(', ')}) but the name is held by another relation`)
        continue
      }
      const legacy = all.get(spec.legacyName)
      if (legacy !== undefined && !renamed.has(spec.legacyName) && sameIndex(legacy, spec, { partial: false })) {
        await tx.unsafe(`ALTER INDEX ${qualifiedName(spec.legacyName)} RENAME TO ${quoteIdent(spec.name)}`)
        renamed.add(spec.legacyName)
        continue
      }
      await createMissing(tx, spec, log)
    }
  })
}

function isInPlace (found: ExistingIndex | undefined, spec: IndexSpec): boolean {
  return found !== undefined && sameIndex(found, spec, { partial: true })
}

async function createMissing (tx: TransactionSql, spec: IndexSpec, log: Log): Promise<void> {
  try {
    await tx.savepoint(async (sp) => { await sp.unsafe(createIndexStatement(spec)) })
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    log.warn(`index ${spec.name} on ${spec.table} (${spec.columns.join(', ')}) is missing and could not be created: ${reason}`)
  }
}
