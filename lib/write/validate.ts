import type { ErrorDetail } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import { ajvErrorsToDetails } from '../schema/ajv.js'
import { expectedInput } from '../schema/expected.js'
import { requiredDetails } from './required.js'
import type { Location } from './types.js'

/**
 * Checks `required` (lib/write/required.ts), then runs the entity's compiled validator
 * (enum/type/format/max_length) on the values of one record: at most one detail per field, the
 * `required` one first. `propagated` lists fields whose value arrives from a related write (a
 * parent's key propagated into a child's FK), so a missing value there is not a failure.
 */
export function validateValues (
  entity: CompiledEntity, values: Record<string, unknown>, at: { action: 'create' | 'update', loc: Location, propagated: ReadonlySet<string> }
): ErrorDetail[] {
  const { action, loc, propagated } = at
  const validate = action === 'create' ? entity.validateCreate : entity.validateUpdate
  const required = requiredDetails(entity, values, { action, propagated })
  if (required.length === 0 && validate(values)) return []
  if (required.length > 0) validate(values)
  const prefix = loc.path === '' ? '' : `${loc.path}.`
  const reported = new Set(required.map((d) => d.field))
  const ajv = ajvErrorsToDetails(validate.errors, { describe: (field) => expectedInput(entity, field) })
  const out: ErrorDetail[] = []
  for (const d of [...required, ...ajv.filter((d) => d.field === undefined || !reported.has(d.field))]) {
    if (d.rule === 'required' && d.field !== undefined && propagated.has(d.field)) continue
    if (d.field !== undefined) d.field = prefix + d.field
    if (loc.relation !== undefined) d.relation = loc.relation
    if (loc.index !== undefined) d.index = loc.index
    out.push(d)
  }
  return out
}
