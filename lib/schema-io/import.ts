import type { AppContext } from '../apps/context.js'
import { isApiError } from '../errors.js'
import { isObject } from '../rules/problems.js'
import { parseDocument } from './document.js'
import { SCHEMA_KINDS } from './kinds.js'
import { importSampleData } from './sample-data.js'
import type { ImportOptions, ImportReport, Item, KindReport, SampleReport, SchemaKind } from './types.js'

function labelOf (kind: SchemaKind, item: unknown, index: number): string {
  if (!isObject(item)) return `#${index}`
  try {
    return kind.label(item).slice(0, 200)
  } catch {
    return `#${index}`
  }
}

/** Imports the items of one kind, each on its own: a bad item is reported and the others proceed. */
async function importKind (app: AppContext, kind: SchemaKind, items: readonly unknown[], opts: ImportOptions): Promise<KindReport> {
  const report: KindReport = { created: [], updated: [], skipped: [], errors: [] }
  for (const [index, item] of items.entries()) {
    const name = labelOf(kind, item, index)
    if (!isObject(item)) {
      report.errors.push({ index, name, message: `each item of ${kind.key} must be a JSON object` })
      continue
    }
    try {
      const outcome = await kind.importItem(app, item as Item)
      if (outcome.status === 'skipped') report.skipped.push({ index, name, reason: outcome.reason })
      else report[outcome.status].push({ index, name })
    } catch (err) {
      if (isApiError(err)) {
        report.errors.push({ index, name, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) })
      } else {
        opts.onError?.(err, `${kind.key}[${index}]`)
        report.errors.push({ index, name, message: 'Internal error while importing this item' })
      }
    }
  }
  return report
}

/**
 * Imports an export document (docs/reference.md, "Export and import") into the app: the top level is checked
 * first (400/422 for a document that is not one; nothing is imported then), then every kind in
 * dependency order (entities, relations, rules, state machines, workflows, permissions,
 * webhooks, UI configs), item by item. Each item is its own unit of work through the admin
 * service of its kind (validation, DDL, registry rebuild) — not one transaction for the whole
 * document, since DDL and registry rebuilds happen per metadata change. Existing items are
 * skipped, compared by content (see `content-kind.ts`), so importing twice changes nothing.
 * Finally the sample rows (`sample-data.ts`).
 */
export async function importDocument (app: AppContext, body: unknown, opts: ImportOptions): Promise<ImportReport> {
  const doc = parseDocument(body)
  const kinds = new Map<string, KindReport>()
  let changed = false
  for (const kind of SCHEMA_KINDS) {
    const report = await importKind(app, kind, doc.kinds.get(kind.key) ?? [], opts)
    kinds.set(kind.key, report)
    changed ||= report.created.length > 0 || report.updated.length > 0
  }
  // Some services leave the registry rebuild to their caller (permissions): one rebuild for all.
  if (changed) await app.reload()
  const sampleData = doc.sampleData === null ? null : await importSampleData(app, doc.sampleData, opts)
  return { kinds, sampleData }
}

/** Whether the import changed any metadata (then other processes are told to reload). */
export function metadataChanged (report: ImportReport): boolean {
  return [...report.kinds.values()].some((r) => r.created.length > 0 || r.updated.length > 0)
}

/** The response body of an import: `{<kind>: {created, updated, skipped, errors}, ..., sample_data?}`. */
export function reportBody (report: ImportReport): Record<string, KindReport | Record<string, SampleReport>> {
  const out: Record<string, KindReport | Record<string, SampleReport>> = Object.fromEntries(report.kinds)
  if (report.sampleData !== null) out.sample_data = report.sampleData
  return out
}
