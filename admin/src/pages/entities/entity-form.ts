// The entity editor's form state and its conversion to and from the metadata the API takes
// (lib/metadata/validate-entity.ts has the rules; the server re-checks everything).
import { FIELD_TYPES, type EntityDef, type FieldDef, type FieldType, type PkType } from '../../api/types.js'

export interface FieldDraft {
  /** Stable key for rendering; not sent. */
  key: number
  name: string
  type: FieldType
  required: boolean
  unique: boolean
  nullable: boolean
  /** Default value as typed; '' = no default. */
  defaultText: string
  /** Enum values, comma separated; '' = no enum. */
  enumText: string
  precision: string
  scale: string
  maxLength: string
  auto: '' | 'create' | 'update'
  /** Keys of the stored field this form does not edit, sent back unchanged. */
  extra: Record<string, unknown>
}

export interface EntityDraft {
  name: string
  table: string
  pkField: string
  /** The stored key's `generated` flag (client-supplied int keys stay so); undefined for new entities. */
  pkGenerated?: boolean
  softDelete: boolean
  slugEnabled: boolean
  slugField: string
  slugSource: string
  slugRegenerate: boolean
  fields: FieldDraft[]
  /** Keys of the stored entity this form does not edit, sent back unchanged. */
  extra: Record<string, unknown>
}

const FIELD_KEYS = new Set(['name', 'type', 'required', 'unique', 'nullable', 'default', 'enum', 'precision', 'scale', 'max_length', 'auto'])
const ENTITY_KEYS = new Set(['name', 'table', 'primary_key', 'soft_delete', 'slug', 'fields'])

function extraOf (def: object, managed: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(def).filter(([k]) => !managed.has(k)))
}

/** Types that can hold a primary key, and the key type each gives. */
const PK_TYPES: Partial<Record<FieldType, PkType>> = { uuid: 'uuid', int: 'int', bigint: 'bigint', string: 'string', text: 'string' }
export const ENUM_TYPES: ReadonlySet<FieldType> = new Set<FieldType>(['string', 'text', 'int', 'bigint', 'decimal'])

let nextKey = 1

export function newField (over: Partial<FieldDraft> = {}): FieldDraft {
  return { key: nextKey++, name: '', type: 'string', required: false, unique: false, nullable: false, defaultText: '', enumText: '', precision: '', scale: '', maxLength: '', auto: '', extra: {}, ...over }
}

export function newEntityDraft (): EntityDraft {
  return {
    name: '',
    table: '',
    pkField: 'id',
    softDelete: false,
    slugEnabled: false,
    slugField: '',
    slugSource: '',
    slugRegenerate: false,
    fields: [newField({ name: 'id', type: 'uuid' })],
    extra: {}
  }
}

function canonical (type: string): FieldType {
  const aliases: Record<string, FieldType> = { integer: 'int', datetime: 'timestamp', jsonb: 'json' }
  return (FIELD_TYPES as readonly string[]).includes(type) ? type as FieldType : aliases[type] ?? 'string'
}

const text = (v: unknown): string => v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)

export function fieldDraftFromDef (f: FieldDef): FieldDraft {
  return newField({
    name: f.name,
    type: canonical(f.type),
    required: f.required === true,
    unique: f.unique === true,
    nullable: f.nullable === true,
    defaultText: text(f.default),
    enumText: Array.isArray(f.enum) ? f.enum.map(String).join(', ') : '',
    precision: text(f.precision),
    scale: text(f.scale),
    maxLength: text(f.max_length),
    auto: f.auto ?? '',
    extra: extraOf(f, FIELD_KEYS)
  })
}

export function draftFromDef (def: EntityDef): EntityDraft {
  return {
    name: def.name,
    table: def.table,
    pkField: def.primary_key.field,
    ...(def.primary_key.generated !== undefined ? { pkGenerated: def.primary_key.generated } : {}),
    softDelete: def.soft_delete === true,
    slugEnabled: def.slug !== undefined,
    slugField: def.slug?.field ?? '',
    slugSource: def.slug?.source ?? '',
    slugRegenerate: def.slug?.regenerate_on_update === true,
    // deleted_at belongs to soft delete: the server keeps it while soft delete is on.
    fields: def.fields.filter((f) => !(def.soft_delete === true && f.name === 'deleted_at')).map(fieldDraftFromDef),
    extra: extraOf(def, ENTITY_KEYS)
  }
}

export function pkCandidates (draft: EntityDraft): FieldDraft[] {
  return draft.fields.filter((f) => f.name !== '' && PK_TYPES[f.type] !== undefined)
}

export function hasTimestamps (draft: EntityDraft): boolean {
  return draft.fields.some((f) => f.name === 'created_at' && f.auto === 'create') && draft.fields.some((f) => f.name === 'updated_at' && f.auto === 'update')
}

/** Adds or removes the auto-managed `created_at` / `updated_at` pair. */
export function withTimestamps (fields: FieldDraft[], on: boolean): FieldDraft[] {
  const rest = fields.filter((f) => !(f.name === 'created_at' || f.name === 'updated_at'))
  if (!on) return rest
  return [...rest, newField({ name: 'created_at', type: 'timestamp', auto: 'create' }), newField({ name: 'updated_at', type: 'timestamp', auto: 'update' })]
}

/** Client-side conversion problems, keyed like the API's error details (`fields.<name>.<option>`). */
export type DraftErrors = Record<string, string>

function scalar (type: FieldType, raw: string, at: string, errors: DraftErrors): unknown {
  const v = raw.trim()
  switch (type) {
    case 'int':
    case 'bigint': {
      if (!/^-?\d+$/.test(v)) { errors[at] = 'must be an integer'; return undefined }
      const n = Number(v)
      return Number.isSafeInteger(n) ? n : v
    }
    case 'boolean':
      if (v !== 'true' && v !== 'false') { errors[at] = 'must be true or false'; return undefined }
      return v === 'true'
    case 'json':
      try {
        return JSON.parse(v) as unknown
      } catch {
        errors[at] = 'must be valid JSON'
        return undefined
      }
    default:
      return v
  }
}

function optionalInt (raw: string, at: string, errors: DraftErrors): number | undefined {
  if (raw.trim() === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n)) errors[at] = 'must be an integer'
  return n
}

function fieldDef (f: FieldDraft, errors: DraftErrors): FieldDef {
  const at = `fields.${f.name}`
  const def: FieldDef = { ...f.extra, name: f.name.trim(), type: f.type }
  if (f.required) def.required = true
  if (f.unique) def.unique = true
  if (f.nullable) def.nullable = true
  if ((f.type === 'timestamp' || f.type === 'date') && f.auto !== '') def.auto = f.auto
  if (f.type === 'string' || f.type === 'text') {
    const max = optionalInt(f.maxLength, `${at}.max_length`, errors)
    if (max !== undefined) def.max_length = max
  }
  if (f.type === 'decimal') {
    const precision = optionalInt(f.precision, `${at}.precision`, errors)
    const scale = optionalInt(f.scale, `${at}.scale`, errors)
    if (precision !== undefined) def.precision = precision
    if (scale !== undefined) def.scale = scale
  }
  if (ENUM_TYPES.has(f.type) && f.enumText.trim() !== '') {
    def.enum = f.enumText.split(',').map((s) => s.trim()).filter((s) => s !== '')
      .map((s) => f.type === 'int' || f.type === 'bigint' ? scalar(f.type, s, `${at}.enum`, errors) : s)
  }
  if (f.defaultText.trim() !== '' && f.type !== 'file') def.default = scalar(f.type, f.defaultText, `${at}.default`, errors)
  return def
}

/** Builds the definition to send; `errors` is non-empty when a value could not be converted. */
export function defFromDraft (draft: EntityDraft): { def: Record<string, unknown>, errors: DraftErrors } {
  const errors: DraftErrors = {}
  const fields = draft.fields.map((f) => fieldDef(f, errors))
  const pk = draft.fields.find((f) => f.name === draft.pkField)
  const pkType = pk !== undefined ? PK_TYPES[pk.type] : undefined
  const def: Record<string, unknown> = {
    ...draft.extra,
    name: draft.name.trim(),
    table: draft.table.trim() !== '' ? draft.table.trim() : draft.name.trim(),
    soft_delete: draft.softDelete,
    fields
  }
  if (pkType !== undefined) def.primary_key = { field: draft.pkField, type: pkType, generated: pkType !== 'string' && (draft.pkGenerated ?? true) }
  else errors.primary_key = 'choose a uuid, int, bigint or string field as the primary key'
  if (draft.slugEnabled) {
    def.slug = { field: draft.slugField, source: draft.slugSource, regenerate_on_update: draft.slugRegenerate }
    // The engine refuses a slug field that is not unique (a slug names one record).
    const slugField = fields.find((f) => f.name === draft.slugField)
    if (slugField !== undefined) slugField.unique = true
  }
  return { def, errors }
}

/** Row index of the field an error detail names (`fields.<name>…` or `fields[<i>]…`), or -1. */
export function fieldIndexOf (path: string, draft: EntityDraft): number {
  const byIndex = /^fields\[(\d+)\]/.exec(path)
  if (byIndex !== null) return Number(byIndex[1])
  const byName = /^fields\.([a-z0-9_]+)/.exec(path)
  return byName !== null ? draft.fields.findIndex((f) => f.name === byName[1]) : -1
}
