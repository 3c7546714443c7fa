/** The write path (docs/reference.md, "Writing"): create / update / delete with nested relations, free of Fastify. */
export { createRecord, deleteRecord, updateRecord } from './record.js'
export type { WriteActor, WriteHooks, WriteNode, WriteUnit } from './hooks.js'
export type { FileResolveSite, FileResolver, RecordLookup, WriteDeps } from './types.js'
export { parseRecordId } from './lookup.js'
export { orderAsSent, writtenRelation } from './written.js'
export { slugify } from './slug.js'
export { defaultFileValue } from './values.js'
