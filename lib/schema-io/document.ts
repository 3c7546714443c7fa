import { didYouMean, invalidPayload, unknownField, validationFailed, type ErrorDetail } from '../errors.js'
import { isObject } from '../rules/problems.js'

/** Version of the export document this server writes and reads. */
export const DOCUMENT_VERSION = 1

/** An import document whose top level was checked: each kind's items, and the sample rows by key. */
export interface ParsedDocument {
  kinds: Map<string, unknown[]>
  sampleData: Map<string, unknown[]> | null
}

const META_KEYS = ['version', 'exported_at']

/**
 * The document a client posts: the export itself, or the export's response envelope
 * (`{data: document}`), so that what `GET /_admin/export` answered can be posted back as is.
 */
function unwrap (body: unknown): unknown {
  if (isObject(body) && isObject(body.data) && Object.keys(body).every((k) => k === 'data' || k === 'meta')) return body.data
  return body
}

function checkTopLevel (doc: Record<string, unknown>, kindKeys: readonly string[]): void {
  const allowed = [...META_KEYS, ...kindKeys, 'sample_data']
  const unknown = Object.keys(doc).filter((k) => !allowed.includes(k))
  if (unknown.length > 0) {
    const details = unknown.map((k) => ({ field: k, rule: 'unknown', message: `unknown key '${k.slice(0, 100)}'${didYouMean(k, allowed)}` }))
    throw unknownField(details.length === 1 ? `Unknown key in the document: ${details[0]?.message ?? ''}` : 'Unknown keys in the document', details)
  }
}

function listOf (doc: Record<string, unknown>, key: string, problems: ErrorDetail[]): unknown[] {
  const v = doc[key]
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) {
    problems.push({ field: key, rule: 'type', message: `${key} must be an array` })
    return []
  }
  return v
}

function sampleDataOf (doc: Record<string, unknown>, problems: ErrorDetail[]): Map<string, unknown[]> | null {
  const raw = doc.sample_data
  if (raw === undefined || raw === null) return null
  if (!isObject(raw)) {
    problems.push({ field: 'sample_data', rule: 'type', message: 'sample_data must be an object of entity (or many_to_many relation) name → rows' })
    return null
  }
  const out = new Map<string, unknown[]>()
  for (const [key, rows] of Object.entries(raw)) {
    if (Array.isArray(rows)) out.set(key, rows)
    else problems.push({ field: `sample_data.${key}`, rule: 'type', message: `sample_data.${key} must be an array of rows` })
  }
  return out
}

/**
 * Checks the top level of an import document (docs/reference.md, "Export and import"): a JSON object (else
 * 400 INVALID_PAYLOAD), only known keys (else 400 UNKNOWN_FIELD), `version` 1 when given, each
 * kind an array and `sample_data` an object of arrays (else 422 VALIDATION_FAILED listing every
 * problem). Single items are checked later, one by one, and reported per kind.
 */
export function parseDocument (body: unknown, kindKeys: readonly string[]): ParsedDocument {
  const doc = unwrap(body)
  if (!isObject(doc)) throw invalidPayload('The import document must be a JSON object (what GET /_admin/export answers)')
  checkTopLevel(doc, kindKeys)
  const problems: ErrorDetail[] = []
  if (doc.version !== undefined && doc.version !== DOCUMENT_VERSION) {
    problems.push({ field: 'version', rule: 'enum', message: `unsupported document version (this server reads version ${DOCUMENT_VERSION})` })
  }
  if (doc.exported_at !== undefined && typeof doc.exported_at !== 'string') {
    problems.push({ field: 'exported_at', rule: 'type', message: 'exported_at must be a timestamp string' })
  }
  const kinds = new Map(kindKeys.map((key) => [key, listOf(doc, key, problems)]))
  const sampleData = sampleDataOf(doc, problems)
  if (problems.length > 0) throw validationFailed(problems.length === 1 ? `Invalid document: ${problems[0]?.message ?? ''}` : 'Invalid document', problems)
  return { kinds, sampleData }
}
