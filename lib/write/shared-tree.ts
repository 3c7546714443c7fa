import type { Sql } from '../db/connection.js'
import { inLane, type Waiting } from '../db/lanes.js'
import type { Registry } from '../metadata/registry.js'
import type { WriteHooks, WriteNode, WriteUnit } from './hooks.js'
import { writeLevels } from './levels.js'
import { rowSqlOf } from './row-sql.js'
import { sharedWriteStats } from './shared-write.js'
import type { Row } from './sql.js'
import { transaction } from './transaction.js'
import type { PlanNode } from './types.js'

/**
 * Concurrent nested creates share one unit (docs/ARCHITECTURE.md, "Shared
 * statements"): a nested create that is one statement alone (one-statement.ts) joins a lane of
 * its user and hooks; when the lane is busy, the creates that waited are written together level
 * by level — all their roots in one multi-row INSERT, then all their children… (levels.ts, the
 * bulk create's writer) — in one transaction, each record's audit and change rows multi-row
 * too. A failure rolls the transaction back and each create runs again alone, one after another
 * in arrival order, as its one statement (re-planned from its payload if that fails, as always),
 * so each gets the outcome it would have had alone.
 */

/** A waiting nested create: its plan (its nodes get their rows) and its unit (user, timestamp). */
interface TreeWaiting extends Waiting {
  plan: PlanNode
  nodes: readonly WriteNode[]
  unit: WriteUnit
}

/** Lane keys per metadata version: plans of two registries never share a unit. */
const registryIds = new WeakMap<Registry, number>()
let nextRegistryId = 0

function registryId (registry: Registry): number {
  let id = registryIds.get(registry)
  if (id === undefined) {
    id = ++nextRegistryId
    registryIds.set(registry, id)
  }
  return id
}

/** What one nested create is: its plan and nodes, its unit, and how it runs alone (its one statement). */
export interface SingleTree {
  plan: PlanNode
  nodes: readonly WriteNode[]
  hooks: readonly WriteHooks[]
  unit: WriteUnit
  registry: Registry
  /** Its one statement (also after a failed shared unit: each again alone, in arrival order). */
  alone: () => Promise<Row>
}

/** Writes a nested create `isCreateTree` accepts, sharing a unit with concurrent ones of the same user and hooks; resolves to its root row. */
export async function sharedTree (sql: Sql, tree: SingleTree): Promise<Row> {
  const { hooks, unit, registry } = tree
  const key = `tree\u0000${registryId(registry)}\u0000${rowSqlOf(hooks).key}\u0000${unit.user?.id ?? ''}`
  const row = await inLane<TreeWaiting>(sql, key, () => ({
    stats: sharedWriteStats,
    distinctKeys: false,
    together: async (batch) => {
      const plans = batch.map((w) => w.plan)
      const recordOf = new Map<WriteNode, number>()
      batch.forEach((w, i) => { for (const n of w.nodes) recordOf.set(n, i) })
      // The lane's creates are one user's: the first one's unit writes the audit rows of all.
      const first = (batch[0] as TreeWaiting).unit
      await transaction(sql, async (tx) => {
        await writeLevels({ tx, unit: first, hooks, registry, now: first.now, deleting: new Map() }, plans, recordOf)
      })
      return plans.map((p) => p.node.row)
    }
  }), (done) => ({ key: '', plan: tree.plan, nodes: tree.nodes, unit, done, alone: tree.alone }))
  if (row === undefined) throw new Error(`${tree.plan.node.entity.name}: nested create returned no row`)
  return row
}
