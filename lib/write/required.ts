import type { ErrorDetail } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'

/** The fields `required: true` constrains, computed once per compiled entity. */
interface RequiredFields {
  fields: CompiledField[]
  /** The slug field: blank on create means "generate it" (lib/write/slug.ts), not "missing". */
  slug: string | undefined
}

const cache = new WeakMap<CompiledEntity, RequiredFields>()

function requiredFieldsOf (entity: CompiledEntity): RequiredFields {
  let r = cache.get(entity)
  if (r === undefined) {
    const generatedPk = entity.def.primary_key.generated === true
    const fields = entity.fieldList.filter((f) => f.def.required === true && f.writable && !(f.isPk && generatedPk))
    r = { fields, slug: entity.def.slug?.field }
    cache.set(entity, r)
  }
  return r
}

/** Why a present value does not satisfy `required`, or null when it does. */
function emptiness (f: CompiledField, value: unknown): string | null {
  if (value === null) return `${f.name} is required and may not be null`
  if (f.spec.blank(value)) return `${f.name} is required and may not be empty`
  return null
}

/** What a record satisfying every `required` gets: one shared, frozen list. */
const NO_DETAILS: readonly ErrorDetail[] = Object.freeze([])

/**
 * `required: true` means present and non-empty (docs/VALIDATION.md, "Validation"): a create must carry
 * the field (after defaults; a generated PK, a propagated FK or a slug the engine generates
 * excepted), and a value given on create or update may not be null nor, for string/text, empty
 * or whitespace only. One detail per field, `rule: "required"`, `field` without the payload path
 * (the caller prefixes it).
 */
export function requiredDetails (entity: CompiledEntity, values: Record<string, unknown>, at: { action: 'create' | 'update', propagated: ReadonlySet<string> }): readonly ErrorDetail[] {
  const { fields, slug } = requiredFieldsOf(entity)
  // Made on the first problem only: a bulk create checks up to 1,000 records that mostly pass.
  let out: ErrorDetail[] | undefined
  for (const f of fields) {
    if (at.propagated.has(f.name)) continue
    const present = Object.hasOwn(values, f.name)
    const value = values[f.name]
    if (at.action === 'create' && f.name === slug && (value === undefined || value === null || value === '')) continue
    if (!present) {
      if (at.action === 'create') (out ??= []).push({ field: f.name, rule: 'required', message: `${f.name} is required` })
      continue
    }
    const reason = emptiness(f, value)
    if (reason !== null) (out ??= []).push({ field: f.name, rule: 'required', message: reason })
  }
  return out ?? NO_DETAILS
}
