import type { UserContext } from '../apps/context.js'
import type { Sql, TransactionSql } from '../db/connection.js'
import type { CompiledEntity, CompiledField, RelationEdge } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import type { WriteMode } from '../metadata/types.js'
import type { RequestTrace } from '../events/types.js'
import type { WriteActor, WriteHooks, WriteNode, WriteUnit } from './hooks.js'

/** Where a file field value is resolved; `lib/files` replaces the default (which trusts the payload). */
export type FileResolver = (value: unknown, at: FileResolveSite) => Promise<unknown> | unknown

export interface FileResolveSite {
  sql: Sql
  entity: CompiledEntity
  field: CompiledField
  /** Error-detail path of the field, e.g. `items[1].attachment`. */
  path: string
}

/** Everything the write path needs, passed explicitly (no Fastify). */
export interface WriteDeps {
  sql: Sql
  registry: Registry
  user: UserContext | null
  hooks?: readonly WriteHooks[]
  /** Turns a `file` field value into the stored `{id, filename, size, mime_type}`; may throw a 422. */
  resolveFileValue?: FileResolver
  /** Receives errors thrown by `afterCommit` hooks, which never reach the request. */
  onHookError?: (err: unknown, hook: string) => void
  /** Set by `WriteUnit.createRecord`: run inside the caller's transaction instead of opening one. */
  within?: EnclosingUnit
  /** An engine capability writing on its own authority (user null); copied to `WriteUnit.actor`. */
  actor?: WriteActor
  /** The request's trace when it is sampled (null/absent: no spans); copied to `WriteUnit.trace`. */
  trace?: RequestTrace | null
  /** Insert sibling children one statement each (the retry after a failed multi-row INSERT). */
  noBatch?: boolean
}

/** The unit of work a nested write (a hook's `createRecord`) joins. */
export interface EnclosingUnit {
  tx: TransactionSql
  /** Queues after-commit work until the outermost unit commits. */
  defer: (work: () => Promise<void>) => void
  /** Nesting level (1 for a record created by a hook of a top-level write); bounds recursion. */
  depth: number
}

/** Position of a record in the payload, copied into error details. */
export interface Location {
  path: string
  relation?: string
  index?: number
}

/** How the root record of an update/delete is found: by PK or, when the id is not a PK, by slug. */
export interface RecordLookup {
  field: CompiledField
  value: string
}

/** One record of the planned write tree. */
export interface PlanNode {
  node: WriteNode
  loc: Location
  /** PK given in a nested item (update of an existing child), as sent. */
  key?: unknown
  /** Root update: how to find the row. */
  lookup?: RecordLookup
  /** Nothing to write for this record itself (only a PK, or no field changes): no hooks, no SQL. */
  noop: boolean
  relations: RelationPlan[]
  /** Required-rule failures to ignore because the value arrives from a related write (FKs). */
  propagated: Set<string>
}

/** One relation key of a record's payload. */
export interface RelationPlan {
  edge: RelationEdge
  target: CompiledEntity
  mode: WriteMode
  loc: Location
  /** Child/related records to create or update (has_many, has_one, belongs_to). */
  items: PlanNode[]
  /** Children marked `_delete` (has_many/has_one). */
  removals: Array<{ key: unknown, loc: Location }>
  /** many_to_many: target keys to link (or unlink when `remove`). */
  links: Array<{ key: unknown, remove: boolean, loc: Location }>
  /** Filled while resolving: deletions (marked, or missing under replace), executed before items. */
  deletes: DeleteGroup[]
}

/** Rows of one entity deleted together, with what their delete policies imply. */
export interface DeleteGroup {
  entity: CompiledEntity
  hard: boolean
  nodes: WriteNode[]
  /** Children deleted first (cascade). */
  cascades: DeleteGroup[]
  /** Child FKs set to NULL (set_null). */
  nullify: Array<{ child: CompiledEntity, fk: CompiledField, keys: string[], liveOnly: boolean }>
  /** Join rows removed (many_to_many). */
  detach: Array<{ table: string, column: string, cast: string, keys: string[] }>
}

/** What every step inside the transaction needs. */
export interface ExecContext {
  tx: TransactionSql
  unit: WriteUnit
  hooks: readonly WriteHooks[]
  registry: Registry
  /** The unit's timestamp (auto fields, soft deletes). */
  now: Date
  /** Rows already being deleted in this unit, per entity (stops cascades through cycles). */
  deleting: Map<string, Set<string>>
  /** Whether sibling creates may go in one multi-row INSERT (see execute.ts `insertBatch`). */
  batch?: boolean
}
