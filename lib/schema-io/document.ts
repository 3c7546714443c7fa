import { invalidPayload, validationFailed } from '../errors.js'
import { isObject } from '../rules/problems.js'
import { shapeProblems } from '../schema/shape.js'
import { SCHEMA_KINDS } from './kinds.js'
import { IMPORT_DOCUMENT } from './schemas.js'

/** An import document whose top level was checked: each kind's items, and the sample rows by key. */
export interface ParsedDocument {
  kinds: Map<string, unknown[]>
  sampleData: Map<string, unknown[]> | null
}

/**
 * The document a client posts: the export itself, or the export's response envelope
 * (`{data: document}`), so that what `GET /_admin/export` answered can be posted back as is.
 * A document has no `data` key, so unwrapping twice changes nothing.
 */
export function unwrapDocument (body: unknown): unknown {
  if (isObject(body) && isObject(body.data) && Object.keys(body).every((k) => k === 'data' || k === 'meta')) return body.data
  return body
}

const listOf = (v: unknown): unknown[] => Array.isArray(v) ? v : []

/**
 * Checks the top level of an import document (docs/reference.md, "Export and import") against
 * `IMPORT_DOCUMENT`, the route's body schema: a JSON object (else 400 INVALID_PAYLOAD), then
 * only known keys, `version` 1 when given, each kind an array (or null: none) and `sample_data`
 * an object of arrays (else 422 VALIDATION_FAILED listing every problem). Single items are
 * checked later, one by one, and reported per kind.
 */
export function parseDocument (body: unknown): ParsedDocument {
  const doc = unwrapDocument(body)
  if (!isObject(doc)) throw invalidPayload('The import document must be a JSON object (what GET /_admin/export answers)')
  const problems = shapeProblems(IMPORT_DOCUMENT, doc)
  if (problems.length > 0) throw validationFailed(problems.length === 1 ? `Invalid document: ${problems[0]?.message ?? ''}` : 'Invalid document', problems)
  const kinds = new Map(SCHEMA_KINDS.map((kind) => [kind.key, listOf(doc[kind.key])]))
  const sampleData = isObject(doc.sample_data) ? new Map(Object.entries(doc.sample_data).map(([key, rows]) => [key, listOf(rows)])) : null
  return { kinds, sampleData }
}
