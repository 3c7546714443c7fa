import type { CompiledEntity } from '../metadata/compiled.js'
import { quoteIdent } from '../metadata/registry.js'
import { keyText } from './lookup.js'
import { arrayCastOf, castOf, run, type Row } from './sql.js'
import type { ExecContext, RelationPlan } from './types.js'

/**
 * Writes the join rows of a many_to_many relation for one written record (docs/reference.md, "Writing": only join
 * rows are touched, and removed ones are hard-deleted). diff adds the listed keys and removes
 * the `_delete` ones; replace makes the set equal to the payload; append only adds.
 */
export async function writeLinks (ec: ExecContext, rp: RelationPlan, owner: { entity: CompiledEntity, row: Row }): Promise<void> {
  const { edge, target } = rp
  const local = owner.entity.fields.get(edge.localKey)
  const remote = target.fields.get(edge.remoteKey)
  if (edge.join === undefined || local === undefined || remote === undefined) {
    throw new Error(`relation ${edge.name} has no usable join definition`)
  }
  const table = edge.join.sqlTable
  const lc = quoteIdent(edge.join.localColumn)
  const rc = quoteIdent(edge.join.remoteColumn)
  const ownerKey = keyText(local, owner.row[edge.localKey])
  const adds = [...new Set(rp.links.filter((l) => !l.remove).map((l) => keyText(remote, l.key)))]
  const removes = [...new Set(rp.links.filter((l) => l.remove).map((l) => keyText(remote, l.key)))]
  const site = { entity: target, loc: rp.loc }
  const lcast = castOf(local)
  const rcast = arrayCastOf(remote)
  if (rp.mode === 'replace') {
    await run(ec.tx, { text: `DELETE FROM ${table} WHERE ${lc} = $1${lcast} AND NOT (${rc} = ANY($2${rcast}))`, params: [ownerKey, adds] }, site)
  } else if (rp.mode === 'diff' && removes.length > 0) {
    await run(ec.tx, { text: `DELETE FROM ${table} WHERE ${lc} = $1${lcast} AND ${rc} = ANY($2${rcast})`, params: [ownerKey, removes] }, site)
  }
  if (adds.length > 0) {
    await run(ec.tx, { text: `INSERT INTO ${table} (${lc}, ${rc}) SELECT $1${lcast}, unnest($2${rcast}) ON CONFLICT DO NOTHING`, params: [ownerKey, adds] }, site)
  }
}
