import type { CompiledEntity } from '../metadata/compiled.js'
import type { WriteNode } from './hooks.js'
import type { FileResolveSite, WriteDeps } from './types.js'

/** Fills field `default`s for fields the create payload does not mention. */
export function applyDefaults (entity: CompiledEntity, values: Record<string, unknown>): void {
  for (const f of entity.fieldList) {
    const d = f.def.default
    if (d === undefined || !f.writable || Object.hasOwn(values, f.name)) continue
    // Defaults may be JSON objects: never share the metadata's instance with a record.
    values[f.name] = typeof d === 'object' && d !== null ? structuredClone(d) : d
  }
}

/** Auto timestamps: `create` fields on insert, `update` fields on insert and every update. */
export function applyAutoFields (node: WriteNode, now: Date): void {
  const { entity, values, action } = node
  if (action === 'delete') return
  const iso = now.toISOString()
  for (const f of entity.fieldList) {
    const auto = f.def.auto
    if (auto === undefined || (auto === 'create' && action !== 'create')) continue
    values[f.name] = f.type === 'date' ? iso.slice(0, 10) : iso
  }
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
  for (const f of entity.fieldList) {
    if (f.type !== 'file' || values[f.name] === undefined || values[f.name] === null) continue
    if (deps.resolveFileValue === undefined) {
      values[f.name] = defaultFileValue(values[f.name])
      continue
    }
    const site: FileResolveSite = { sql: deps.sql, entity, field: f, path: path === '' ? f.name : `${path}.${f.name}` }
    values[f.name] = await deps.resolveFileValue(values[f.name], site)
  }
}
