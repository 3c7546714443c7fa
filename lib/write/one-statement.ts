import type { WriteNode, WriteHooks, WriteUnit } from './hooks.js'
import { hasSideEffects, needsAfterRow, readsBeforeWrite, runAfterCommit, runAfterRow, runBeforeWrite } from './hooks.js'
import { isCreateTree } from './levels.js'
import { assignRows, buildOneStatement, MAX_PARAMS } from './one-statement-sql.js'
import { sharedTree } from './shared-tree.js'
import type { Row } from './sql.js'
import { transaction } from './transaction.js'
import type { PlanNode, WriteDeps } from './types.js'

/**
 * The one-statement path of a nested create (docs/ARCHITECTURE.md, "One-statement writes").
 * Internal switch: tests turn it off to run the same payloads through the statement-per-record
 * path and compare (test/routes/one-statement-writes.test.ts), and read the counts of units written
 * as one statement and of statements that failed (then re-planned). Not a user setting.
 */
export const oneStatementWrites = { enabled: true, written: 0, failed: 0 }

/**
 * Thrown when the one statement failed: PostgreSQL's error cannot say which record of the tree
 * failed (nor a missing link target), which the client must see (docs/reference.md "Writing"). The unit is planned
 * again from the payload and runs on the statement-per-record path, which fails on the same
 * record and names it (see execute.ts `retryUnbatched`).
 */
export class OneStatementFailed extends Error {
  constructor (readonly reason: unknown) {
    super('one-statement write failed')
  }
}

/**
 * Whether a planned root write can be one statement: a create whose every nested record is a
 * create too (nothing to load, lock or delete first), without slugs (which read for uniqueness),
 * and whose links only add. The hooks are asked in `writeOneStatement`.
 */
export function fitsOneStatement (deps: WriteDeps, plan: PlanNode): boolean {
  if (!oneStatementWrites.enabled || deps.within !== undefined || deps.noBatch === true) return false
  return plan.relations.length > 0 && fits(plan)
}

function fits (plan: PlanNode): boolean {
  const { node } = plan
  if (node.action !== 'create' || plan.key !== undefined || plan.noop || node.entity.def.slug !== undefined) return false
  return plan.relations.every((rp) => {
    if (rp.removals.length > 0 || rp.deletes.length > 0) return false
    if (rp.edge.kind === 'many_to_many') return rp.edge.join !== undefined
    return rp.items.every(fits)
  })
}

/** Whether some hook must run between the unit's statements for these nodes (reads, or calls outside the database). */
function needsJavaScriptBetween (hooks: readonly WriteHooks[], nodes: readonly WriteNode[], unit: WriteUnit): boolean {
  return hasSideEffects(hooks, nodes, unit) || readsBeforeWrite(hooks, nodes, unit)
}

/**
 * Runs a create `fitsOneStatement` accepted. `beforeWrite` runs first, outside any transaction
 * (nothing is locked or read on the way: the records are new), then the one statement — alone,
 * which is atomic without BEGIN/COMMIT, or, when a hook has `afterRow` work (a conditional
 * permission re-check, an outbox row), in a transaction with those hooks run after it in tree
 * order. Returns null, having done nothing, when a hook needs the statement-per-record path.
 * A failed statement throws `OneStatementFailed` (re-planned by the caller).
 */
export async function writeOneStatement (deps: WriteDeps, plan: PlanNode, unit: WriteUnit & { flush: () => Promise<void> }, nodes: WriteNode[]): Promise<Row | null> {
  const hooks = deps.hooks ?? []
  if (needsJavaScriptBetween(hooks, nodes, unit)) return null
  await runBeforeWrite(hooks, nodes, unit)
  const send = async (q: typeof deps.sql | NonNullable<WriteUnit['tx']>): Promise<Row> => {
    // Built only when sent: a create that shares a unit with others (shared-tree.ts) never needs
    // it. After a failed shared unit the nodes carry the FKs it set; the statement ignores them
    // (a child's FK is always the subquery on its parent's CTE).
    const stmt = buildOneStatement(plan, hooks, unit.user)
    if (stmt.params.length > MAX_PARAMS) throw new OneStatementFailed(new Error('too many parameters for one statement'))
    let rows: Row[]
    try {
      rows = await q.unsafe<Row[]>(stmt.text, stmt.params, { prepare: true })
    } catch (err) {
      oneStatementWrites.failed++
      throw new OneStatementFailed(err)
    }
    return assignRows(stmt, rows[0] ?? {})
  }
  let root: Row
  if (!nodes.some((n) => needsAfterRow(hooks, n, unit))) {
    root = isCreateTree(plan)
      ? await sharedTree(deps.sql, {
        plan,
        nodes,
        hooks,
        unit,
        registry: deps.registry,
        alone: async () => await send(deps.sql)
      })
      : await send(deps.sql)
  } else {
    root = await transaction(deps.sql, async (tx) => {
      unit.tx = tx
      const row = await send(tx)
      for (const n of nodes) await runAfterRow({ hooks, tx, unit }, n)
      return row
    })
    unit.tx = null
  }
  oneStatementWrites.written++
  await runAfterCommit({ hooks, unit, onError: deps.onHookError }, nodes)
  await unit.flush()
  return root
}
