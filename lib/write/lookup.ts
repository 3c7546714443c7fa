import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { run, selectForUpdate, type Queryable, type Row } from './sql.js'
import type { Location, RecordLookup } from './types.js'

/** Whether `raw` is a well-formed value of a key field (so it can be bound with that field's cast). */
export function isKeyText (field: CompiledField, raw: string): boolean {
  return field.spec.parseKey(raw) !== undefined
}

/**
 * How the `:id` URL segment finds a record: by primary key when it parses as the PK type
 * (uuid, integer in range, or any string for string PKs), else by slug when the entity has one.
 * Null when it can be neither (the caller answers 404).
 */
export function parseRecordId (entity: CompiledEntity, id: string): RecordLookup | null {
  if (isKeyText(entity.pk, id)) return { field: entity.pk, value: entity.pk.spec.keyText(id) }
  const slug = entity.def.slug
  const field = slug !== undefined ? entity.fields.get(slug.field) : undefined
  return field === undefined ? null : { field, value: id }
}

/** Loads one live row by lookup and locks it for the rest of the transaction. */
export async function lockRow (tx: Queryable, entity: CompiledEntity, lookup: RecordLookup): Promise<Row | null> {
  const rows = await run(tx, { text: selectForUpdate(entity, lookup.field, true), params: [[lookup.value]] }, { entity, loc: { path: '' } })
  return rows[0] ?? null
}

/** Loads live rows whose `field` is one of `keys`, locked, keyed by the field's text form. */
export async function lockRows (tx: Queryable, at: { entity: CompiledEntity, field: CompiledField, loc: Location }, keys: unknown[]): Promise<Map<string, Row>> {
  const { entity, field, loc } = at
  const out = new Map<string, Row>()
  if (keys.length === 0) return out
  const params = keys.map((k) => keyText(field, k))
  const rows = await run(tx, { text: selectForUpdate(entity, field, true), params: [params] }, { entity, loc })
  for (const r of rows) out.set(keyText(field, r[field.name]), r)
  return out
}

/** Canonical text of a key value, for comparing payload keys with loaded rows (uuid case-insensitive). */
export function keyText (field: CompiledField, value: unknown): string {
  return field.spec.keyText(value)
}

/** Whether a payload value can be a key of this field (checked before it is bound as a parameter). */
export function isKeyValue (field: CompiledField, value: unknown): boolean {
  return field.spec.isKeyValue(value)
}
