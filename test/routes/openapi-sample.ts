// Fixtures and a request generator for the OpenAPI tests (not a test file itself).
import { randomUUID } from 'node:crypto'
import type { TestApp } from '../helper.js'
import { loadExample } from '../fixtures/examples.js'

export type Json = Record<string, unknown>
export type Schema = Record<string, unknown>

/** Every field type (and a slug, soft delete, auto fields) plus every relation type, with an inverse. */
export const ALL_TYPES = {
  entities: [
    { name: 'category', table: 'categories', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true, unique: true }] },
    {
      name: 'product',
      table: 'products',
      soft_delete: true,
      slug: { field: 'slug', source: 'name' },
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'name', type: 'string', required: true, max_length: 80 },
        { name: 'slug', type: 'string', unique: true },
        { name: 'description', type: 'text' },
        { name: 'stock', type: 'int', default: 0 },
        { name: 'views', type: 'bigint' },
        { name: 'price', type: 'decimal', precision: 10, scale: 2, required: true },
        { name: 'active', type: 'boolean', default: true },
        { name: 'external_id', type: 'uuid', unique: true },
        { name: 'released_at', type: 'timestamp' },
        { name: 'launch_date', type: 'date' },
        { name: 'attributes', type: 'json' },
        { name: 'manual', type: 'file' },
        { name: 'status', type: 'string', enum: ['draft', 'live', 'retired'], default: 'draft' },
        { name: 'category_id', type: 'uuid', required: true },
        { name: 'created_at', type: 'timestamp', auto: 'create' },
        { name: 'updated_at', type: 'timestamp', auto: 'update' }
      ]
    },
    { name: 'product_detail', table: 'product_details', fields: [{ name: 'id', type: 'uuid' }, { name: 'product_id', type: 'uuid', required: true }, { name: 'notes', type: 'text', required: true }] },
    { name: 'tag', table: 'tags', primary_key: { field: 'id', type: 'int' }, fields: [{ name: 'id', type: 'int' }, { name: 'label', type: 'string', required: true }] },
    { name: 'country', table: 'countries', primary_key: { field: 'code', type: 'string' }, fields: [{ name: 'code', type: 'string', required: true }, { name: 'name', type: 'text' }] }
  ],
  relations: [
    { name: 'products', type: 'one_to_many', source: 'category', target: 'product', source_key: 'id', target_key: 'category_id', inverse_name: 'category', on_delete: 'restrict' },
    { name: 'detail', type: 'one_to_one', source: 'product', target: 'product_detail', source_key: 'id', target_key: 'product_id', inverse_name: 'product', on_delete: 'cascade' },
    { name: 'tags', type: 'many_to_many', source: 'product', target: 'tag', join_table: 'product_tags', inverse_name: 'products' }
  ]
}

export interface Example {
  file: string
  entities: Json[]
  relations: Json[]
}

/** The example schemas users import (`shared/examples/*.json`). */
export function loadExamples (): Example[] {
  const files = ['content-management.json', 'employee-management.json', 'helpdesk-ticketing.json']
  return files.map((file) => {
    const ex = loadExample<{ entities: Json[], relations: Json[] }>(file)
    return { file, entities: ex.entities, relations: ex.relations }
  })
}

/** Creates entities, then relations, through the admin API; throws on the first refusal. */
export async function installSchema (a: TestApp, schema: { entities: Json[], relations: Json[] }): Promise<void> {
  for (const [kind, list] of [['entities', schema.entities], ['relations', schema.relations]] as const) {
    for (const payload of list) {
      const res = await a.as(a.admin, { method: 'POST', url: `/_admin/${kind}`, payload })
      if (res.statusCode !== 201) throw new Error(`${kind} ${String(payload.name)}: ${res.statusCode} ${res.body.slice(0, 300)}`)
    }
  }
}

export async function fetchDocument (a: TestApp): Promise<Json> {
  const res = await a.as(a.admin, { url: '/_openapi.json' })
  if (res.statusCode !== 200) throw new Error(`_openapi.json: ${res.statusCode} ${res.body.slice(0, 300)}`)
  return res.json() as Json
}

/** Resolves a local `$ref` (`#/components/schemas/X`) against the document, repeatedly. */
export function deref (doc: Json, schema: Schema): Schema {
  let s = schema
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
    let node: unknown = doc
    for (const part of (s.$ref as string).slice(2).split('/')) node = (node as Json)[part]
    s = node as Schema
  }
  return s
}

/** The FK target named by `x-rocket-references`. */
export interface Reference { entity: string, field: string, unique: boolean }

/** Supplies real keys for FK fields and file fields while generating. */
export interface ValueSource {
  reference: (ref: Reference) => Promise<unknown>
  fileId: () => Promise<string>
}

const isNull = (s: Schema): boolean => s.type === 'null'

/** A file field's schema: a uuid, or an object with nothing but its `id` (a link item also has `_delete`). */
function isFileSchema (s: Schema): boolean {
  return Array.isArray(s.anyOf) && (s.anyOf as Schema[]).some((b) =>
    b.type === 'object' && Object.keys((b.properties ?? {}) as Json).join() === 'id')
}

/**
 * Produces values that satisfy a schema of the document: first non-null branch, first enum
 * value, a counter for uniqueness, real keys for references. Relation keys ($ref properties)
 * are left out unless asked for; readOnly properties always are.
 */
export class SampleGenerator {
  private n = 0
  constructor (private readonly doc: Json, private readonly source: ValueSource) {}

  next (): number { return ++this.n }

  async value (raw: Schema): Promise<unknown> {
    const s = deref(this.doc, raw)
    const ref = s['x-rocket-references'] as Reference | undefined
    if (ref !== undefined) return await this.source.reference(ref)
    if (isFileSchema(s)) return await this.source.fileId()
    if (s.const !== undefined) return s.const
    if (Array.isArray(s.enum)) return (s.enum as unknown[]).find((v) => v !== null)
    const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined
    if (branches !== undefined && s.properties === undefined) {
      const branch = branches.find((b) => !isNull(deref(this.doc, b))) ?? {}
      return await this.value(branch)
    }
    const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : s.type as string | undefined
    return await this.typed(s, type)
  }

  private async typed (s: Schema, type: string | undefined): Promise<unknown> {
    const n = this.next()
    switch (type) {
      case 'integer': return Math.min(n, typeof s.maximum === 'number' ? s.maximum : n)
      case 'number': return n + 0.25
      case 'boolean': return true
      case 'array': return [await this.value((s.items ?? {}) as Schema)]
      case 'string': return stringValue(s, n)
      case 'object': return await this.object(s, { relations: false })
      default: return { note: `n${n}` }
    }
  }

  /**
   * An object for a schema: required properties, plus optional ones that are plain fields
   * (FKs only when required; relation properties only when `relations` names them).
   */
  async object (raw: Schema, opts: { relations: false | string[], optional?: boolean }): Promise<Json> {
    const s = deref(this.doc, raw)
    const required = new Set([...(s.required as string[] | undefined ?? []), ...firstRequired(s)])
    const out: Json = {}
    for (const [name, propRaw] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      const prop = deref(this.doc, propRaw)
      if (prop.readOnly === true || name === '_delete' || name === '_write_mode') continue
      if (typeof propRaw.$ref === 'string') {
        if (opts.relations !== false && opts.relations.includes(name)) out[name] = await this.nested(prop)
        continue
      }
      const isRequired = required.has(name)
      if (!isRequired && (opts.optional === false || prop['x-rocket-references'] !== undefined)) continue
      out[name] = await this.value(prop)
    }
    return out
  }

  /** A nested-write payload in its `{_write_mode, data}` form with one new record (or link). */
  private async nested (payload: Schema): Promise<unknown> {
    const wrapper = (payload.anyOf as Schema[]).find((b) => (b.properties as Json | undefined)?._write_mode !== undefined) as Schema
    const dataSchema = deref(this.doc, (wrapper.properties as Record<string, Schema>).data as Schema)
    const branch = dataSchema.type === 'array' ? dataSchema : (dataSchema.anyOf as Schema[]).find((b) => !isNull(b)) as Schema
    const item = branch.type === 'array' ? branch.items as Schema : branch
    const value = item.type === 'object' ? await this.object(item, { relations: false, optional: false }) : await this.value(item)
    return { _write_mode: 'diff', data: branch.type === 'array' ? [value] : value }
  }
}

/** `required` of the first `anyOf` branch made only of `required` (a nested item's new-record form). */
function firstRequired (s: Schema): string[] {
  const first = (s.anyOf as Schema[] | undefined)?.[0]
  return first !== undefined && s.properties !== undefined && Array.isArray(first.required) ? first.required as string[] : []
}

function stringValue (s: Schema, n: number): string {
  switch (s.format) {
    case 'uuid': return randomUUID()
    case 'date-time': return new Date(Date.UTC(2024, 0, 1, 0, 0, n % 60)).toISOString()
    case 'date': return `2024-01-${String(1 + (n % 28)).padStart(2, '0')}`
    default: break
  }
  if (typeof s.pattern === 'string') {
    const re = new RegExp(s.pattern)
    for (const candidate of [String(n), `${n}.5`]) if (re.test(candidate)) return candidate
  }
  const text = `s${n}-${randomUUID().slice(0, 8)}`
  return typeof s.maxLength === 'number' ? text.slice(0, s.maxLength) : text
}
