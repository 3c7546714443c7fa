import type { CompiledEntity } from '../metadata/compiled.js'

/**
 * The accepted input of an entity's field in words, for the one detail of a wrong type or format
 * (lib/schema/ajv.ts); undefined for a path that is not a field of the entity.
 */
export function expectedInput (entity: CompiledEntity, field: string): string | undefined {
  const f = entity.fields.get(field)
  if (f === undefined) return undefined
  const base = f.spec.expected
  return f.def.required !== true && f.def.nullable !== false ? `${base}, or null` : base
}
