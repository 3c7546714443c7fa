import type { ErrorDetail } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import { ajvErrorsToDetails } from '../schema/ajv.js'
import type { Location } from './types.js'

/**
 * Runs the entity's compiled validator (required/enum/type/format/max_length) on the values of
 * one record. `propagated` lists fields whose value arrives from a related write (a parent's
 * key propagated into a child's FK), so a missing value there is not a failure.
 */
export function validateValues (
  entity: CompiledEntity, values: Record<string, unknown>, at: { action: 'create' | 'update', loc: Location, propagated: ReadonlySet<string> }
): ErrorDetail[] {
  const { action, loc, propagated } = at
  const validate = action === 'create' ? entity.validateCreate : entity.validateUpdate
  if (validate(values)) return []
  const prefix = loc.path === '' ? '' : `${loc.path}.`
  const out: ErrorDetail[] = []
  for (const d of ajvErrorsToDetails(validate.errors, prefix)) {
    if (d.rule === 'required' && d.field !== undefined && propagated.has(d.field.slice(prefix.length))) continue
    if (loc.relation !== undefined) d.relation = loc.relation
    if (loc.index !== undefined) d.index = loc.index
    out.push(d)
  }
  return out
}
