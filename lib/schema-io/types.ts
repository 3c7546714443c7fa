import type { AppContext, UserContext } from '../apps/context.js'
import type { ErrorDetail } from '../errors.js'
import type { Schema } from '../schema/route-schemas.js'
import type { WriteHooks } from '../write/index.js'

/** A JSON object of an export document (one entity, one rule, one sample row...). */
export type Item = Record<string, unknown>

/** What importing one item did. */
export type ItemOutcome =
  | { status: 'created' }
  | { status: 'updated' }
  | { status: 'skipped', reason: string }

/**
 * One kind of metadata in the export document (`entities`, `rules`, `workflows`...): how to
 * export it and how to import one item of it. Kinds are listed in dependency order in
 * `kinds.ts`; a new capability plugs in by adding its kind there (see `content-kind.ts` for
 * the usual shape: natural key + content comparison).
 */
export interface SchemaKind {
  /** Key of the kind in the export document. */
  key: string
  /** One item as `export` writes it: the export document's declared schema (`schemas.ts`). */
  item: Schema
  /** The stored items as the document holds them: no ids, timestamps or secrets; stable order. */
  export: (app: AppContext) => Promise<Item[]>
  /** Short name of a document item for the import report (`post`, `ticket.status`...). */
  label: (item: Item) => string
  /**
   * Imports one item: created, updated, or skipped with the reason (an equal item exists, or
   * one with the same key and another definition). Throws an ApiError when the item is invalid.
   */
  importItem: (app: AppContext, item: Item) => Promise<ItemOutcome>
}

/** A document item in a report: its position in the document's list and its label. */
export interface ReportedItem {
  index: number
  name: string
}

/** Import result of one kind. */
export interface KindReport {
  created: ReportedItem[]
  updated: ReportedItem[]
  skipped: Array<ReportedItem & { reason: string }>
  errors: Array<ReportedItem & { message: string, details?: ErrorDetail[] }>
}

/** Import result of the sample rows of one entity (or the join rows of one many_to_many relation). */
export interface SampleReport {
  created: number
  skipped: number
  errors: Array<{ index?: number, id?: unknown, message: string, details?: ErrorDetail[] }>
  /** `_users` only: which rows were skipped and why (an existing email). */
  skipped_rows?: Array<{ index: number, email: string, reason: string }>
}

/** Result of a whole import: one report per kind (document order), and the sample rows' when the document has some. */
export interface ImportReport {
  kinds: Map<string, KindReport>
  sampleData: Record<string, SampleReport> | null
}

/** How an import runs, beyond the app and the document. */
export interface ImportOptions {
  /** Who imports (recorded by the audit hook on sample rows). */
  user: UserContext | null
  /** Write hooks sample rows run through (see `sampleDataHooks`): no state machines, webhooks or workflows. */
  hooks: readonly WriteHooks[]
  /** Receives unexpected (non-API) errors of single items, which the report only names. */
  onError?: (err: unknown, where: string) => void
}
