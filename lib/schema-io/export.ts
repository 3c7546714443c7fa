import type { AppContext } from '../apps/context.js'
import { SCHEMA_KINDS } from './kinds.js'
import { DOCUMENT_VERSION } from './schemas.js'
import { exportSampleData } from './sample-export.js'
import type { Item } from './types.js'

/** The export document: `{version, exported_at, <kind>: [...]..., sample_data?}`. */
export type ExportDocument = Record<string, unknown> & { version: number, exported_at: string }

/**
 * The app's whole schema as one document (docs/reference.md, "Export and import"): every kind in dependency order, without
 * ids, timestamps or webhook secrets; with `includeData`, `sample_data` holds the live rows of
 * every entity (by entity name) and the join rows of every many_to_many relation (by relation
 * name). What `importDocument` reads back.
 */
export async function exportDocument (app: AppContext, opts: { includeData: boolean }): Promise<ExportDocument> {
  const doc: ExportDocument = { version: DOCUMENT_VERSION, exported_at: new Date().toISOString() }
  for (const kind of SCHEMA_KINDS) {
    const items: Item[] = await kind.export(app)
    doc[kind.key] = items
  }
  if (opts.includeData) doc.sample_data = await exportSampleData(app)
  return doc
}
