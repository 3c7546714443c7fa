import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { quoteIdent } from '../metadata/registry.js'
import type { WriteHooks } from './hooks.js'
import { keyText } from './lookup.js'
import { hookSql, rowSqlOf, rowSqlParams } from './row-sql.js'
import { arrayCastOf, castOf, toParam, type Row, type SqlParam } from './sql.js'
import type { PlanNode, RelationPlan } from './types.js'

/**
 * A nested create compiled into ONE statement (docs/ARCHITECTURE.md, "One-statement writes"):
 * every record is an `INSERT … RETURNING` data-modifying CTE, a child's FK a scalar subquery on
 * its parent's CTE, the hooks' `rowSql` (audit row, realtime change row) one CTE per row CTE
 * reading its RETURNING, join rows one `INSERT … SELECT unnest(…)` per relation. The final SELECT
 * returns the root row and, per other CTE, its rows as a JSON array of column texts.
 *
 * Order: CTEs are listed in the old path's write order (belongs_to parent, the record, its
 * children in payload order, depth first); the final SELECT pulls them in that order, so keys and
 * serial ids are drawn as the statement-per-record path draws them. CTEs nobody reads (hook and
 * join-row CTEs) run after, parent's first (see `text`).
 */

/** One row-writing CTE: the plan nodes it inserts, one row each, in order. */
interface RowsCte {
  name: string
  entity: CompiledEntity
  items: PlanNode[]
  /** Written fields, in entity order. */
  fields: CompiledField[]
  /** Per row, per field: a placeholder with its cast, or a subquery on an earlier CTE. */
  cells: string[][]
  /** The first placeholder of the hooks' row SQL parameters. */
  hookParam: number
}

/** A column value that comes from an earlier CTE (an FK to a record written by this statement). */
interface Ref { cte: string, column: string }

/** The built statement: text, parameters, and the row CTEs in order (to hand rows back). */
export interface OneStatement {
  text: string
  params: SqlParam[]
  ctes: Array<{ column: string | null, entity: CompiledEntity, items: PlanNode[] }>
}

/** PostgreSQL takes at most 65535 parameters per statement; past this the unit is not compiled. */
export const MAX_PARAMS = 60_000

class Builder {
  readonly rows: RowsCte[] = []
  /** CTEs nobody reads (hook rows, join rows), in write order; built only when the text is not cached. */
  readonly tail: Array<() => string[]> = []
  /** CTEs rendering rows for the hooks (`hookSql`), filled while `tail` is built. */
  readonly renders: string[] = []
  readonly params: SqlParam[] = []
  /** The statement's shape, parameter values aside: the key of the text cache. */
  readonly shape: string[] = []

  constructor (readonly hooks: readonly WriteHooks[], readonly user: { id: string } | null) {}

  param (value: SqlParam): number {
    this.params.push(value)
    return this.params.length
  }

  /** Writes a record (its belongs_to parents first, then its row, then its children); returns its CTE. */
  record (plan: PlanNode, refs: Map<string, Ref>): RowsCte {
    for (const rp of plan.relations) {
      const item = rp.items[0]
      if (rp.edge.kind !== 'belongs_to' || item === undefined) continue
      const parent = this.record(item, new Map())
      refs.set(rp.edge.localKey, { cte: parent.name, column: columnOf(rp.target, rp.edge.remoteKey) })
    }
    const cte = this.insert([plan], refs)
    this.relations(plan, cte)
    return cte
  }

  private relations (plan: PlanNode, cte: RowsCte): void {
    for (const rp of plan.relations) {
      if (rp.edge.kind === 'many_to_many') this.links(rp, { entity: plan.node.entity, cte })
      else if (rp.edge.kind !== 'belongs_to') this.children(rp, { entity: plan.node.entity, cte })
    }
  }

  /** has_many / has_one: plain sibling creates writing the same fields share one multi-row INSERT, as in the old path. */
  private children (rp: RelationPlan, owner: { entity: CompiledEntity, cte: RowsCte }): void {
    const fk: Ref = { cte: owner.cte.name, column: columnOf(owner.entity, rp.edge.localKey) }
    const refsOf = (): Map<string, Ref> => new Map([[rp.edge.remoteKey, fk]])
    if (rp.items.length > 1 && rp.items.every(isLeaf) && sameFields(rp.items)) {
      this.insert(rp.items, refsOf())
      return
    }
    for (const item of rp.items) this.record(item, refsOf())
  }

  /** One INSERT of rows of one entity writing the same fields. */
  private insert (items: PlanNode[], refs: Map<string, Ref>): RowsCte {
    const first = items[0] as PlanNode
    const entity = first.node.entity
    const fields = entity.fieldList.filter((f) => refs.has(f.name) || Object.hasOwn(first.node.values, f.name))
    const cells = items.map((item) => fields.map((f) => {
      const ref = refs.get(f.name)
      return ref !== undefined ? `(SELECT ${ref.column} FROM ${ref.cte})` : `$${this.param(toParam(f, item.node.values[f.name]))}${castOf(f)}`
    }))
    const cte: RowsCte = { name: `"__w${this.rows.length}"`, entity, items, fields, cells, hookParam: this.params.length + 1 }
    this.rows.push(cte)
    this.shape.push(`w:${entity.name}:${items.length}:${fields.map((f) => refs.has(f.name) ? `${f.name}=${refs.get(f.name)?.cte ?? ''}` : f.name).join(',')}`)
    for (const p of rowSqlParams(this.hooks, { entity, user: this.user })) this.param(p)
    this.tail.push(() => this.hookCtes(cte))
    return cte
  }

  /** The hooks' row SQL (audit, realtime change rows): one CTE each per row CTE, whatever its row count. */
  private hookCtes (cte: RowsCte): string[] {
    const { rendered, bodies } = hookSql(rowSqlOf(this.hooks).list, { entity: cte.entity, action: 'create', fields: cte.fields, rows: cte.name, firstParam: cte.hookParam })
    if (rendered !== null) this.renders.push(`${rendered.name} AS (${rendered.body})`)
    return bodies
  }

  /**
   * Join rows of a new record: the listed targets must be live rows (docs/reference.md "Writing": unknown id → 422
   * naming relation and index). The statement cannot name them, so a missing one makes it fail
   * (division by zero in the one-time filter) and the unit is re-planned on the old path, which does.
   */
  private links (rp: RelationPlan, owner: { entity: CompiledEntity, cte: RowsCte }): void {
    const { edge, target } = rp
    const remote = target.fields.get(edge.remoteKey)
    const join = edge.join
    if (join === undefined || remote === undefined) throw new Error(`relation ${edge.name} has no usable join definition`)
    const adds = [...new Set(rp.links.filter((l) => !l.remove).map((l) => keyText(remote, l.key)))]
    if (adds.length === 0) return
    const keys = `$${this.param(adds)}${arrayCastOf(remote)}`
    const count = `$${this.param(adds.length)}::integer`
    const live = target.liveCondition !== '' ? ` AND ${target.liveCondition}` : ''
    const ownerKey = `(SELECT ${columnOf(owner.entity, edge.localKey)} FROM ${owner.cte.name})`
    this.tail.push(() => [`INSERT INTO ${join.sqlTable} (${quoteIdent(join.localColumn)}, ${quoteIdent(join.remoteColumn)}) ` +
      `SELECT ${ownerKey}, k FROM unnest(${keys}) AS k ` +
      `WHERE (SELECT 1 / (count(*) = ${count})::integer FROM ${target.table} WHERE ${remote.column} = ANY(${keys})${live}) = 1 ON CONFLICT DO NOTHING`])
    this.shape.push(`l:${edge.name}:${owner.cte.name}`)
  }

  text (root: RowsCte): string {
    const withs = this.rows.map((c) => `${c.name} AS (INSERT INTO ${c.entity.table} (${c.fields.map((f) => f.column).join(', ')}) ` +
      `VALUES ${c.cells.map((row) => `(${row.join(', ')})`).join(', ')} RETURNING ${c.entity.selectColumns})`)
    const others = this.rows.filter((c) => c !== root).map((c) =>
      `(SELECT json_agg(ARRAY[${c.entity.fieldList.map((f) => `${f.column}::text`).join(', ')}]) FROM ${c.name}) AS "__r${c.name.slice(4, -1)}"`)
    // CTEs nobody reads run after the main query in the REVERSE of their order in the WITH list
    // (PostgreSQL's ExecPostprocessPlan): listed reversed, the parent's audit and change rows are
    // written before its children's, as on the statement-per-record path.
    const tail = this.tail.flatMap((build) => build()).map((body, i) => `"__t${i}" AS (${body})`)
    // The rows rendered for the hooks (`hookSql`): after the rows, before the hooks' CTEs reading them.
    return `WITH ${[...withs, ...this.renders, ...tail.reverse()].join(', ')} SELECT ${[`${root.name}.*`, ...others].join(', ')} FROM ${root.name}`
  }
}

function columnOf (entity: CompiledEntity, field: string): string {
  const f = entity.fields.get(field)
  if (f === undefined) throw new Error(`${entity.name} has no field ${field}`)
  return f.column
}

function isLeaf (plan: PlanNode): boolean {
  return plan.relations.length === 0
}

function sameFields (items: PlanNode[]): boolean {
  const keysOf = (p: PlanNode): string => p.node.entity.fieldList.filter((f) => Object.hasOwn(p.node.values, f.name)).map((f) => f.name).join(',')
  const first = keysOf(items[0] as PlanNode)
  return first !== '' && items.every((i) => keysOf(i) === first)
}

/** Statement texts per root entity and shape; the WeakMap lets a replaced registry's entries go. */
const texts = new WeakMap<CompiledEntity, Map<string, string>>()
const MAX_SHAPES = 256

/** Compiles a planned nested create (every node a create: see `fitsOneStatement`) into one statement. */
export function buildOneStatement (plan: PlanNode, hooks: readonly WriteHooks[], user: { id: string } | null): OneStatement {
  const b = new Builder(hooks, user)
  const root = b.record(plan, new Map())
  const entity = plan.node.entity
  let cache = texts.get(entity)
  if (cache === undefined) { cache = new Map(); texts.set(entity, cache) }
  const key = `${rowSqlOf(hooks).key}|${b.shape.join(';')}`
  let text = cache.get(key)
  if (text === undefined) {
    // Payload shapes are bounded in practice; the cap only guards against pathological clients.
    if (cache.size >= MAX_SHAPES) cache.clear()
    text = b.text(root)
    cache.set(key, text)
  }
  const ctes = b.rows.map((c) => ({ column: c === root ? null : `__r${c.name.slice(4, -1)}`, entity: c.entity, items: c.items }))
  return { text, params: b.params, ctes }
}

/** A column's text as the driver would parse it (lib/db/connection.ts: dates stay text, NUMERIC/BIGINT strings). */
function parseText (field: CompiledField, text: string | null): unknown {
  return text === null ? null : field.spec.fromText(text)
}

/** Sets `node.row` of every record the statement wrote from its one result row. */
export function assignRows (stmt: OneStatement, result: Row): Row {
  let rootRow: Row | undefined
  for (const cte of stmt.ctes) {
    if (cte.column === null) {
      const item = cte.items[0] as PlanNode
      const row: Row = {}
      for (const f of cte.entity.fieldList) row[f.name] = result[f.name]
      item.node.row = row
      rootRow = row
      continue
    }
    const list = (result[cte.column] ?? []) as Array<Array<string | null>>
    cte.items.forEach((item, i) => {
      const texts = list[i]
      if (texts === undefined) throw new Error(`${cte.entity.name}: write returned no row`)
      const row: Row = {}
      cte.entity.fieldList.forEach((f, j) => { row[f.name] = parseText(f, texts[j] ?? null) })
      item.node.row = row
    })
  }
  if (rootRow === undefined) throw new Error('one-statement write returned no root row')
  return rootRow
}
