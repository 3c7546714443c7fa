import { dataEnvelope, ERROR_DETAIL, type Schema } from '../schema/route-schemas.js'
import { SCHEMA_KINDS } from './kinds.js'

/** Version of the export document this server writes and reads. */
export const DOCUMENT_VERSION = 1

const SAMPLE_DATA_DESCRIPTION = 'Rows by entity name (create payloads: primary key and writable fields), join rows by many_to_many relation name; `_users` rows `{email, password, roles | role}` create app users.'

const ROW: Schema = { type: 'object', additionalProperties: true }

/**
 * The export document (docs/reference.md, "Export and import"): every kind of `SCHEMA_KINDS`
 * as a list of its declared items (`EntityDefinition`s, relations, rules...), no ids,
 * timestamps or webhook secrets.
 */
const EXPORT_DOCUMENT: Schema = {
  type: 'object',
  required: ['version', 'exported_at', ...SCHEMA_KINDS.map((k) => k.key)],
  properties: {
    version: { type: 'integer', enum: [DOCUMENT_VERSION] },
    exported_at: { type: 'string', format: 'date-time' },
    ...Object.fromEntries(SCHEMA_KINDS.map((k) => [k.key, { type: 'array', items: k.item }])),
    sample_data: { type: 'object', additionalProperties: { type: 'array', items: ROW }, description: `\`?include_data=true\` only. ${SAMPLE_DATA_DESCRIPTION}` }
  },
  additionalProperties: false
}

/**
 * The document an import takes: the same top level, closed. Items stay open here: each is
 * checked on its own by its kind's admin service, and a bad one is reported in the answer
 * while the others import.
 */
export const IMPORT_DOCUMENT: Schema = {
  type: 'object',
  properties: {
    version: { type: 'integer', enum: [DOCUMENT_VERSION], description: 'Optional; this server reads version 1.' },
    exported_at: { type: 'string' },
    ...Object.fromEntries(SCHEMA_KINDS.map((k) => [k.key, {
      type: ['array', 'null'],
      items: { description: `One item as in the export (\`${k.key}\`); checked on its own, a bad one is reported in the answer.` }
    }])),
    sample_data: {
      type: ['object', 'null'],
      additionalProperties: { type: 'array', items: { description: 'A row; checked on its own, a bad one is reported in the answer.' } },
      description: SAMPLE_DATA_DESCRIPTION
    }
  },
  additionalProperties: false
}

const REPORTED: Record<string, Schema> = { index: { type: 'integer', minimum: 0, description: 'Position in the document\'s list.' }, name: { type: 'string' } }
const reported = (extra: Record<string, Schema> = {}, required: string[] = []): Schema =>
  ({ type: 'object', required: ['index', 'name', ...required], properties: { ...REPORTED, ...extra }, additionalProperties: false })
const DETAILS: Schema = { type: 'array', items: ERROR_DETAIL }

const KIND_REPORT: Schema = {
  type: 'object',
  required: ['created', 'updated', 'skipped', 'errors'],
  properties: {
    created: { type: 'array', items: reported() },
    updated: { type: 'array', items: reported(), description: 'Entities that only gained fields.' },
    skipped: { type: 'array', items: reported({ reason: { type: 'string' } }, ['reason']), description: 'Already there (equal), or present with another definition.' },
    errors: { type: 'array', items: reported({ message: { type: 'string' }, details: DETAILS }, ['message']) }
  },
  additionalProperties: false
}

const SAMPLE_REPORT: Schema = {
  type: 'object',
  required: ['created', 'skipped', 'errors'],
  properties: {
    created: { type: 'integer', minimum: 0 },
    skipped: { type: 'integer', minimum: 0, description: 'Rows already present.' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['message'], properties: { index: { type: 'integer' }, id: {}, message: { type: 'string' }, details: DETAILS }, additionalProperties: false }
    },
    skipped_rows: {
      type: 'array',
      description: '`_users` only: who was skipped and why.',
      items: { type: 'object', required: ['index', 'email', 'reason'], properties: { index: { type: 'integer' }, email: { type: 'string' }, reason: { type: 'string' } }, additionalProperties: false }
    }
  },
  additionalProperties: false
}

const IMPORT_REPORT: Schema = {
  type: 'object',
  required: SCHEMA_KINDS.map((k) => k.key),
  properties: {
    ...Object.fromEntries(SCHEMA_KINDS.map((k) => [k.key, KIND_REPORT])),
    sample_data: { type: 'object', additionalProperties: SAMPLE_REPORT, description: 'When the document has sample rows: per entity or relation.' }
  },
  additionalProperties: false
}

/** `GET /_admin/export` and `POST /_admin/import`. */
export const SCHEMA_IO_ROUTES = {
  export: {
    operationId: 'admin_export',
    summary: 'The app\'s schema as one document',
    description: 'Every kind in dependency order, without ids, timestamps or webhook secrets; `?include_data=true` adds `sample_data` (the live rows). What `POST /_admin/import` reads back.',
    tags: ['admin'],
    querystring: {
      type: 'object',
      properties: { include_data: { type: 'boolean', default: false, description: 'Also export the rows of every entity and many_to_many relation.' } },
      additionalProperties: false
    },
    response: { 200: dataEnvelope(EXPORT_DOCUMENT) }
  },
  import: {
    operationId: 'admin_import',
    summary: 'Create what an export document holds (idempotent)',
    description: 'The document bare or in the `{data}` envelope the export answers with. Kinds are created in dependency order, each item through its admin service; ' +
      'equal items are skipped, an entity that only gains fields is updated, a bad item is reported while the others import. Then `sample_data` (no transition checks, webhooks or workflow triggers; present rows skipped).',
    tags: ['admin'],
    body: IMPORT_DOCUMENT,
    response: { 200: dataEnvelope(IMPORT_REPORT) }
  }
}
