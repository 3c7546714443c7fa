import type { UserContext } from '../apps/context.js'
import type { Sql, TransactionSql } from '../db/connection.js'
import type { RequestTrace } from '../events/types.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import type { RowSql } from './row-sql.js'

/** One record touched by a unit of work, as hooks see it. */
export interface WriteNode {
  entity: CompiledEntity
  action: 'create' | 'update' | 'delete'
  /** The fields being written; `beforeWrite` may change them (unknown keys are ignored by the SQL). */
  values: Record<string, unknown>
  /**
   * The current row (update/delete); null on create. Deletes, and updates some hook's `needsOld`
   * asks for, load it `FOR UPDATE` before `beforeWrite`; otherwise an update's `beforeWrite`
   * sees null and the row's UPDATE returns the previous values, set here from `afterRow` on.
   */
  old: Record<string, unknown> | null
  /** The row as written (RETURNING), set once the row is written or deleted. */
  row?: Record<string, unknown>
  /** Where the record sits in the payload, e.g. `items[2]` ('' for the root), for error details. */
  path: string
  /** True for a row deleted by an `on_delete: cascade` policy rather than named by the request. */
  cascade?: boolean
  /** Fields the payload itself sets (before defaults and auto fields): what field permissions check. */
  sent?: readonly string[]
}

/** State shared by every hook of one unit of work (one create/update/delete call). */
export interface WriteUnit {
  user: UserContext | null
  registry: Registry
  /** Scratch space per unit of work for hooks (keyed by hook name by convention). */
  state: Map<string, unknown>
  /** The unit's timestamp (auto fields, soft deletes): hooks use it so every "now" of a unit agrees. */
  now: Date
  /** The app's pool: where hooks read when the unit has no transaction (a lone insert). */
  sql: Sql
  /**
   * The unit's open transaction (null before BEGIN and for a lone insert). Hooks that read in
   * `beforeWrite` read through it: a second pool connection per write could exhaust the pool.
   */
  tx: TransactionSql | null
  /**
   * Creates a record inside this unit's transaction through the whole write path (planning,
   * validation, every hook); its after-commit work runs once this unit commits. Only while the
   * transaction is open (`afterRow`, or `beforeWrite` of a unit that has one). `as.user`
   * overrides the unit's user (null: engine work, which permission checks let through).
   */
  createRecord: (entity: CompiledEntity, body: unknown, as?: { user: UserContext | null }) => Promise<Record<string, unknown>>
  /** Set when an engine capability writes on its own authority (`WriteDeps.actor`). */
  actor?: WriteActor | undefined
  /** The sampled request this unit serves (`WriteDeps.trace`): the events module adds its write spans there. */
  trace?: RequestTrace | null | undefined
}

/**
 * An engine capability writing on its own authority (no user), e.g. a workflow step: hooks may
 * treat its writes differently (state machines let a workflow move a state off their transition
 * table; workflow triggers count `chain` to stop trigger cycles).
 */
export interface WriteActor {
  name: string
  /** How many such engine writes led to this one (1 for a workflow started by a user's change). */
  chain: number
}

/**
 * Seam for later capabilities (rules, state machines, permissions, webhooks, audit, workflows).
 * Order per unit: BEGIN → load and lock current rows → every `beforeWrite` (tree order, parent
 * first) → writes (each statement carrying the hooks' `rowSql`), each followed by `afterRow` →
 * COMMIT → `afterCommit` once with all nodes. A lone insert, or a lone update of a row no
 * hook needs before writing it, is one statement without BEGIN/COMMIT when no `afterRow` has work.
 */
export interface WriteHooks {
  name: string
  /** Per record (parent and every nested child), after type validation, before any write of the unit. May mutate node.values or throw an ApiError. */
  beforeWrite?: (node: WriteNode, ctx: WriteUnit) => Promise<void> | void
  /**
   * Asked for the root record of an update before its row is loaded: whether this hook's
   * `beforeWrite` reads `node.old`. When no hook does, the row is not loaded and locked first
   * (see `WriteNode.old`). Default: true when the hook has a `beforeWrite`.
   */
  needsOld?: (node: WriteNode, ctx: WriteUnit) => boolean
  /** SQL written by the same statement as each row (see lib/write/row-sql.ts), e.g. the audit row. */
  rowSql?: RowSql
  /**
   * Whether this hook's `beforeWrite` reads the database for this record (a rule's related
   * rows). Such a unit keeps the statement-per-record path, whose reads run inside its
   * transaction, rather than the one-statement create (lib/write/one-statement.ts). Default: false.
   */
  readsBeforeWrite?: (node: WriteNode, ctx: WriteUnit) => boolean
  /**
   * Whether this hook does something outside the database for this record before the unit
   * commits (a synchronous webhook call). Such a unit is never run a second time, so it does
   * not take the optimistic multi-row INSERT (see execute.ts `insertBatch`). Default: false.
   */
  sideEffects?: (node: WriteNode, ctx: WriteUnit) => boolean
  /** Inside the transaction, after a record row was written (or deleted). */
  afterRow?: (node: WriteNode, tx: TransactionSql, ctx: WriteUnit) => Promise<void> | void
  /**
   * Asked after `beforeWrite`: whether `afterRow` has work for this node (default: always).
   * A hook whose row work is occasional says so here, so that a lone insert nobody needs the
   * row of keeps its transaction-free fast path.
   */
  needsAfterRow?: (node: WriteNode, ctx: WriteUnit) => boolean
  /** After COMMIT; must not throw into the request (errors go to `WriteDeps.onHookError`). */
  afterCommit?: (nodes: WriteNode[], ctx: WriteUnit) => Promise<void> | void
}

/**
 * Runs every hook's `beforeWrite` for each node, in node order then hook order. Most hooks have
 * nothing to do for most records and return synchronously: then so does this (undefined, no
 * promise made — a bulk create runs it per record); from the first hook that returns a promise
 * on, the rest runs after it, and the promise of that is returned.
 */
export function runBeforeWrite (hooks: readonly WriteHooks[], nodes: readonly WriteNode[], unit: WriteUnit): Promise<void> | undefined {
  for (let n = 0; n < nodes.length; n++) {
    for (let k = 0; k < hooks.length; k++) {
      const pending = (hooks[k] as WriteHooks).beforeWrite?.(nodes[n] as WriteNode, unit)
      if (pending !== undefined) return beforeWriteFrom(hooks, nodes, unit, { n, k, pending })
    }
  }
  return undefined
}

/** The rest of `runBeforeWrite` once hook `k` of node `n` returned a promise. */
async function beforeWriteFrom (hooks: readonly WriteHooks[], nodes: readonly WriteNode[], unit: WriteUnit, at: { n: number, k: number, pending: Promise<void> }): Promise<void> {
  await at.pending
  for (let n = at.n; n < nodes.length; n++) {
    for (let k = n === at.n ? at.k + 1 : 0; k < hooks.length; k++) {
      const pending = (hooks[k] as WriteHooks).beforeWrite?.(nodes[n] as WriteNode, unit)
      if (pending !== undefined) await pending
    }
  }
}

function wantsRow (h: WriteHooks, node: WriteNode, unit: WriteUnit): boolean {
  return h.afterRow !== undefined && (h.needsAfterRow === undefined || h.needsAfterRow(node, unit))
}

/** Runs every hook's `afterRow` for one written node (hooks that say they need it). */
export async function runAfterRow (ctx: { hooks: readonly WriteHooks[], tx: TransactionSql, unit: WriteUnit }, node: WriteNode): Promise<void> {
  for (const h of ctx.hooks) if (wantsRow(h, node, ctx.unit)) await h.afterRow?.(node, ctx.tx, ctx.unit)
}

/** Whether some hook's `beforeWrite` needs the current row of this update before it runs. */
export function needsOld (hooks: readonly WriteHooks[], node: WriteNode, unit: WriteUnit): boolean {
  return hooks.some((h) => h.needsOld !== undefined ? h.needsOld(node, unit) : h.beforeWrite !== undefined)
}

/** Whether some hook acts outside the database for one of these nodes before the commit. */
export function hasSideEffects (hooks: readonly WriteHooks[], nodes: readonly WriteNode[], unit: WriteUnit): boolean {
  for (const h of hooks) {
    if (h.sideEffects === undefined) continue
    for (const n of nodes) if (h.sideEffects(n, unit)) return true
  }
  return false
}

/** Whether some hook's `beforeWrite` reads the database for one of these nodes (then it runs inside the unit's transaction). */
export function readsBeforeWrite (hooks: readonly WriteHooks[], nodes: readonly WriteNode[], unit: WriteUnit): boolean {
  for (const h of hooks) {
    if (h.readsBeforeWrite === undefined) continue
    for (const n of nodes) if (h.readsBeforeWrite(n, unit)) return true
  }
  return false
}

/** Whether any hook needs to run `afterRow` for this node (decided after `beforeWrite`). */
export function needsAfterRow (hooks: readonly WriteHooks[], node: WriteNode, unit: WriteUnit): boolean {
  for (const h of hooks) if (wantsRow(h, node, unit)) return true
  return false
}

/** Runs `afterCommit` hooks; the data is committed, so a failing hook is reported, never rethrown. */
export async function runAfterCommit (
  ctx: { hooks: readonly WriteHooks[], unit: WriteUnit, onError?: ((err: unknown, hook: string) => void) | undefined }, nodes: WriteNode[]
): Promise<void> {
  const { hooks, unit, onError } = ctx
  for (const h of hooks) {
    if (h.afterCommit === undefined) continue
    try {
      const pending = h.afterCommit(nodes, unit)
      if (pending !== undefined) await pending
    } catch (err) {
      onError?.(err, h.name)
    }
  }
}
