import type { UserContext } from '../apps/context.js'
import type { TransactionSql } from '../db/connection.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'

/** One record touched by a unit of work, as hooks see it. */
export interface WriteNode {
  entity: CompiledEntity
  action: 'create' | 'update' | 'delete'
  /** The fields being written; `beforeWrite` may change them (unknown keys are ignored by the SQL). */
  values: Record<string, unknown>
  /** The current row (update/delete), loaded `FOR UPDATE` inside the transaction; null on create. */
  old: Record<string, unknown> | null
  /** The row as written (RETURNING), set once the row is written or deleted. */
  row?: Record<string, unknown>
  /** Where the record sits in the payload, e.g. `items[2]` ('' for the root), for error details. */
  path: string
}

/** State shared by every hook of one unit of work (one create/update/delete call). */
export interface WriteUnit {
  user: UserContext | null
  registry: Registry
  /** Scratch space per unit of work for hooks (keyed by hook name by convention). */
  state: Map<string, unknown>
}

/**
 * Seam for later capabilities (rules, state machines, permissions, webhooks, audit, workflows).
 * Order per unit: BEGIN → load and lock current rows → every `beforeWrite` (tree order, parent
 * first) → writes, each followed by `afterRow` → COMMIT → `afterCommit` once with all nodes.
 */
export interface WriteHooks {
  name: string
  /** Per record (parent and every nested child), after type validation, before any write of the unit. May mutate node.values or throw an ApiError. */
  beforeWrite?: (node: WriteNode, ctx: WriteUnit) => Promise<void> | void
  /** Inside the transaction, after a record row was written (or deleted). */
  afterRow?: (node: WriteNode, tx: TransactionSql, ctx: WriteUnit) => Promise<void> | void
  /** After COMMIT; must not throw into the request (errors go to `WriteDeps.onHookError`). */
  afterCommit?: (nodes: WriteNode[], ctx: WriteUnit) => Promise<void> | void
}

/** Runs every hook's `beforeWrite` for each node, in node order then hook order. */
export async function runBeforeWrite (hooks: readonly WriteHooks[], nodes: readonly WriteNode[], unit: WriteUnit): Promise<void> {
  for (const node of nodes) {
    for (const h of hooks) if (h.beforeWrite !== undefined) await h.beforeWrite(node, unit)
  }
}

/** Runs every hook's `afterRow` for one written node. */
export async function runAfterRow (ctx: { hooks: readonly WriteHooks[], tx: TransactionSql, unit: WriteUnit }, node: WriteNode): Promise<void> {
  for (const h of ctx.hooks) if (h.afterRow !== undefined) await h.afterRow(node, ctx.tx, ctx.unit)
}

/** Runs `afterCommit` hooks; the data is committed, so a failing hook is reported, never rethrown. */
export async function runAfterCommit (
  ctx: { hooks: readonly WriteHooks[], unit: WriteUnit, onError?: ((err: unknown, hook: string) => void) | undefined }, nodes: WriteNode[]
): Promise<void> {
  const { hooks, unit, onError } = ctx
  for (const h of hooks) {
    if (h.afterCommit === undefined) continue
    try {
      await h.afterCommit(nodes, unit)
    } catch (err) {
      onError?.(err, h.name)
    }
  }
}

/** Whether any hook needs to run inside the transaction after each row. */
export function hasAfterRow (hooks: readonly WriteHooks[]): boolean {
  return hooks.some((h) => h.afterRow !== undefined)
}
