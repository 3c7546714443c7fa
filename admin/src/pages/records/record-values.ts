// Converts record values to form text and back, per field type (the API's input formats:
// lib/fields/*.ts). Decimal and bigint travel as strings, timestamps as ISO 8601.
import type { EntityDef, FieldDef, FileInfo, RecordData } from '../../api/types.js'

/** A form value: text for most fields, the stored file (or null) for file fields. */
export type FormValue = string | FileInfo | null
export type FormValues = Record<string, FormValue>

const pad = (n: number): string => String(n).padStart(2, '0')

/** ISO timestamp → `YYYY-MM-DDTHH:mm:ss` in local time, as datetime-local inputs take it. */
function localDateTime (iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

export function isFileInfo (v: unknown): v is FileInfo {
  return typeof v === 'object' && v !== null && typeof (v as FileInfo).id === 'string' && typeof (v as FileInfo).filename === 'string'
}

export function toFormValue (field: FieldDef, value: unknown): FormValue {
  if (field.type === 'file') return isFileInfo(value) ? value : null
  if (value === null || value === undefined) return ''
  if (field.type === 'timestamp') return localDateTime(String(value))
  if (field.type === 'json') return JSON.stringify(value, null, 2)
  return String(value)
}

/** Fields a person edits: not the generated key, not auto timestamps, not deleted_at. */
export function editableFields (entity: EntityDef, opts: { creating: boolean, skip?: string }): FieldDef[] {
  return entity.fields.filter((f) => {
    if (f.auto !== undefined || f.name === opts.skip) return false
    if (entity.soft_delete === true && f.name === 'deleted_at') return false
    if (f.name === entity.primary_key.field) return opts.creating && entity.primary_key.generated !== true
    return true
  })
}

export function formValuesOf (fields: FieldDef[], record: RecordData | null): FormValues {
  const out: FormValues = {}
  for (const f of fields) out[f.name] = toFormValue(f, record?.[f.name] ?? null)
  return out
}

export class ValueError extends Error {}

/** Form value → API value (null for an empty input). Throws ValueError with a readable reason. */
export function fromFormValue (field: FieldDef, value: FormValue): unknown {
  if (field.type === 'file') return isFileInfo(value) ? value.id : null
  const text = typeof value === 'string' ? value : ''
  if (text.trim() === '') return field.type === 'string' || field.type === 'text' ? (field.required === true ? '' : null) : null
  switch (field.type) {
    case 'int': {
      const n = Number(text)
      if (!Number.isInteger(n)) throw new ValueError('must be an integer')
      return n
    }
    case 'bigint':
      if (!/^-?\d+$/.test(text.trim())) throw new ValueError('must be an integer')
      return text.trim()
    case 'decimal':
      if (Number.isNaN(Number(text))) throw new ValueError('must be a number')
      return text.trim()
    case 'boolean':
      return text === 'true'
    case 'timestamp': {
      const d = new Date(text)
      if (Number.isNaN(d.getTime())) throw new ValueError('must be a date and time')
      return d.toISOString()
    }
    case 'json':
      try {
        return JSON.parse(text) as unknown
      } catch {
        throw new ValueError('must be valid JSON')
      }
    default:
      return text
  }
}

const same = (a: FormValue, b: FormValue): boolean => isFileInfo(a) || isFileInfo(b)
  ? (isFileInfo(a) ? a.id : null) === (isFileInfo(b) ? b.id : null)
  : a === b

/**
 * The payload for the given fields: on create every non-empty value, on update only what
 * changed from `original`. `errors` collects conversion problems by field name.
 */
export function payloadOf (fields: FieldDef[], values: FormValues, original: FormValues | null): { body: RecordData, errors: Record<string, string> } {
  const body: RecordData = {}
  const errors: Record<string, string> = {}
  for (const f of fields) {
    const v = values[f.name] ?? null
    if (original !== null ? same(v, original[f.name] ?? null) : (v === '' || v === null)) continue
    try {
      body[f.name] = fromFormValue(f, v)
    } catch (err) {
      errors[f.name] = err instanceof Error ? err.message : String(err)
    }
  }
  return { body, errors }
}

/** A value as a table cell shows it. */
export function displayValue (field: FieldDef | undefined, value: unknown): string {
  if (value === null || value === undefined) return ''
  if (isFileInfo(value)) return value.filename
  if (field?.type === 'timestamp' && typeof value === 'string') return new Date(value).toLocaleString()
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
