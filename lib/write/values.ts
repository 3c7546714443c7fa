import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { WriteNode } from './hooks.js'
import type { FileResolveSite, WriteDeps } from './types.js'

/** The fields each value step touches, picked out once per compiled entity (once per metadata change). */
interface ValueFields {
  defaults: readonly CompiledField[]
  autoOnCreate: readonly CompiledField[]
  autoOnUpdate: readonly CompiledField[]
  files: readonly CompiledField[]
}

const valueFields = new WeakMap<CompiledEntity, ValueFields>()

function fieldsOf (entity: CompiledEntity): ValueFields {
  let v = valueFields.get(entity)
  if (v === undefined) {
    const list = entity.fieldList
    v = {
      defaults: list.filter((f) => f.def.default !== undefined && f.writable),
      autoOnCreate: list.filter((f) => f.def.auto !== undefined),
      autoOnUpdate: list.filter((f) => f.def.auto !== undefined && f.def.auto !== 'create'),
      files: list.filter((f) => f.spec.file)
    }
    valueFields.set(entity, v)
  }
  return v
}

/** Fills field `default`s for fields the create payload does not mention. */
export function applyDefaults (entity: CompiledEntity, values: Record<string, unknown>): void {
  for (const f of fieldsOf(entity).defaults) {
    if (Object.hasOwn(values, f.name)) continue
    const d = f.def.default
    // Defaults may be JSON objects: never share the metadata's instance with a record.
    values[f.name] = typeof d === 'object' && d !== null ? structuredClone(d) : d
  }
}

/** The last unit timestamp rendered: every record of a unit (a bulk: hundreds) has the same one. */
let lastNow = { at: NaN, iso: '' }

function isoOf (now: Date): string {
  const at = now.getTime()
  if (at !== lastNow.at) lastNow = { at, iso: now.toISOString() }
  return lastNow.iso
}

/** Auto timestamps: `create` fields on insert, `update` fields on insert and every update. */
export function applyAutoFields (node: WriteNode, now: Date): void {
  const { entity, values, action } = node
  if (action === 'delete') return
  const fields = action === 'create' ? fieldsOf(entity).autoOnCreate : fieldsOf(entity).autoOnUpdate
  if (fields.length === 0) return
  const iso = isoOf(now)
  for (const f of fields) values[f.name] = f.spec.storedMoment(iso)
}

/** Whether the entity has `file` fields (whose values `resolveFiles` turns into stored file objects). */
export function hasFileFields (entity: CompiledEntity): boolean {
  return fieldsOf(entity).files.length > 0
}

const FILE_KEYS = ['id', 'filename', 'size', 'mime_type'] as const

/**
 * The default file resolver, used until `lib/files` provides one that looks the id up in
 * `_files`: a `{id, filename, size, mime_type}` object is stored as given (known keys only),
 * a bare uuid as `{id}`. The payload was validated against the file schema before this runs.
 */
export function defaultFileValue (value: unknown): unknown {
  if (typeof value === 'string') return { id: value.toLowerCase() }
  if (typeof value !== 'object' || value === null) return value
  const src = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const k of FILE_KEYS) if (src[k] !== undefined) out[k] = src[k]
  return out
}

/** Replaces every non-null `file` value by what the resolver stores for it. */
export async function resolveFiles (deps: WriteDeps, node: WriteNode): Promise<void> {
  const { entity, values, path } = node
  for (const f of fieldsOf(entity).files) {
    if (values[f.name] === undefined || values[f.name] === null) continue
    if (deps.resolveFileValue === undefined) {
      values[f.name] = defaultFileValue(values[f.name])
      continue
    }
    const site: FileResolveSite = { sql: deps.sql, entity, field: f, path: path === '' ? f.name : `${path}.${f.name}` }
    values[f.name] = await deps.resolveFileValue(values[f.name], site)
  }
}
