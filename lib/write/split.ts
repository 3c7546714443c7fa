import { didYouMean, type ErrorDetail } from '../errors.js'
import type { CompiledEntity, RelationEdge } from '../metadata/compiled.js'
import type { RelationDef } from '../metadata/types.js'
import type { Location } from './types.js'

/** Problems found while planning, thrown together once the whole tree was seen. */
export interface PlanErrors {
  /** Malformed shape: INVALID_PAYLOAD 400. */
  invalid: ErrorDetail[]
  /** Keys that are neither fields nor relations: UNKNOWN_FIELD 400. */
  unknown: ErrorDetail[]
  /** Values that fail validation: VALIDATION_FAILED 422. */
  failed: ErrorDetail[]
}

export interface SplitBody {
  values: Record<string, unknown>
  relations: Array<{ edge: RelationEdge, value: unknown }>
  /** PK of a nested item (identifies an existing row), undefined when absent or null. */
  key: unknown
  /** `_delete: true` on a nested item. */
  remove: boolean
}

export interface SplitOptions {
  action: 'create' | 'update'
  /** Nested items may carry `_delete` and identify rows by PK. */
  nested: boolean
  loc: Location
  /** Relation a nested item is written through; its other side may not be written again from the item. */
  via?: RelationDef
  /** Where problems are collected. */
  errors: PlanErrors
}

/** A JSON object (not null, not an array). */
export function isPlainObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Error detail at a payload location: `field` prefixed with the record's path, plus relation/index. */
export function detailAt (loc: Location, at: { field: string, message: string, rule?: string }): ErrorDetail {
  const { field, message, rule } = at
  const d: ErrorDetail = { field: loc.path === '' ? field : field === '' ? loc.path : `${loc.path}.${field}`, message }
  if (rule !== undefined) d.rule = rule
  if (loc.relation !== undefined) d.relation = loc.relation
  if (loc.index !== undefined) d.index = loc.index
  return d
}

/**
 * Splits a record payload into field values and relation keys (docs/reference.md "Writing"). Auto fields and
 * `deleted_at` are ignored, as is the PK of a root update; anything else unknown is reported
 * with a "did you mean" hint.
 */
export function splitBody (entity: CompiledEntity, body: Record<string, unknown>, opts: SplitOptions): SplitBody {
  const { errors } = opts
  const out: SplitBody = { values: {}, relations: [], key: undefined, remove: false }
  for (const k of Object.keys(body)) {
    const v = body[k]
    const field = entity.fields.get(k)
    if (field !== undefined) {
      if (field.isPk && opts.nested) out.key = v === null ? undefined : v
      else if (field.isPk && opts.action === 'update') continue
      else if (field.writable) out.values[k] = v
      continue
    }
    const edge = entity.edges.get(k)
    if (edge !== undefined) {
      if (opts.via !== undefined && edge.relation === opts.via) {
        errors.invalid.push(detailAt(opts.loc, { field: k, message: `'${k}' leads back to the parent record and cannot be written from here`, rule: 'relation' }))
      } else {
        out.relations.push({ edge, value: v })
      }
      continue
    }
    if (k === '_delete' && opts.nested) {
      if (typeof v !== 'boolean') errors.invalid.push(detailAt(opts.loc, { field: k, message: '_delete must be a boolean', rule: 'type' }))
      out.remove = v === true
      continue
    }
    const hint = didYouMean(k, [...entity.fields.keys(), ...entity.edges.keys()])
    errors.unknown.push(detailAt(opts.loc, { field: k, message: `unknown field '${k}' on ${entity.name}${hint}`, rule: 'unknown' }))
  }
  return out
}
