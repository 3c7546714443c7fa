import type { AppContext } from '../apps/context.js'
import type { Schema } from '../schema/route-schemas.js'
import { sameContent } from './canonical.js'
import type { Item, ItemOutcome, SchemaKind } from './types.js'

/**
 * The usual shape of a metadata kind: items are compared by content after normalisation (the
 * item as it would be stored, defaults filled), and optionally identified by a natural key
 * (an entity's name, a UI config's entity + scope). Import of one item:
 * - an equal stored item exists → skipped ("already exists");
 * - a stored item with the same key but other content exists → `reconcile` decides (e.g. an
 *   entity that only gains fields is updated), else skipped ("exists with a different definition");
 * - otherwise `create` (which validates against the app's metadata and throws a 422 when invalid).
 */
export interface ContentKindSpec<T extends object> {
  key: string
  /** The schema of one item as `list` gives it (the module's declared item, in document form). */
  item: Schema
  /** Stored items in document form (what export writes and what imports compare with). */
  list: (app: AppContext) => Promise<T[]>
  /** The document item as it would be stored: checked and defaults filled; throws an ApiError when malformed. */
  normalize: (app: AppContext, item: Item) => T | Promise<T>
  /** Natural key of an item, or null when only its content identifies it (permissions). */
  identity?: (item: T) => string | null
  /** What is compared (default: the item itself), e.g. an entity with its fields in name order. */
  comparable?: (item: T) => unknown
  create: (app: AppContext, item: Item) => Promise<unknown>
  /** Same key, other content: update and answer an outcome, or null to skip the item. */
  reconcile?: (app: AppContext, existing: T, incoming: { normalized: T, item: Item }) => Promise<ItemOutcome | null>
  label: (item: Item) => string
}

export const SAME = 'already exists'
export const DIFFERENT = 'exists with a different definition'

/** Builds a `SchemaKind` from a `ContentKindSpec`. */
export function contentKind<T extends object> (spec: ContentKindSpec<T>): SchemaKind {
  const comparable = spec.comparable ?? ((x: T): unknown => x)
  return {
    key: spec.key,
    item: spec.item,
    label: spec.label,
    // Document forms are JSON objects; T names their known shape.
    export: async (app) => await spec.list(app) as unknown as Item[],
    importItem: async (app, item) => {
      const normalized = await spec.normalize(app, item)
      const stored = await spec.list(app)
      const want = comparable(normalized)
      if (stored.some((s) => sameContent(comparable(s), want))) return { status: 'skipped', reason: SAME }
      const key = spec.identity?.(normalized) ?? null
      const existing = key === null ? undefined : stored.find((s) => spec.identity?.(s) === key)
      if (existing !== undefined) {
        const outcome = await spec.reconcile?.(app, existing, { normalized, item }) ?? null
        return outcome ?? { status: 'skipped', reason: DIFFERENT }
      }
      await spec.create(app, item)
      return { status: 'created' }
    }
  }
}
