import { RE2JS, RE2JSSyntaxException } from 're2js'
import type { CompiledField } from '../metadata/compiled.js'
import { toNumber } from '../expressions/operators.js'
import type { Problems } from './problems.js'
import type { FieldOperator } from './types.js'

/** Length in characters (code points), as JSON Schema's maxLength counts them. */
function length (s: string): number {
  return [...s].length
}

/**
 * Builds the check of a field rule — true when a present value satisfies it — after checking
 * that the operator suits the field's type and that `value` suits the operator: min/max take a
 * number and apply to int, bigint and decimal fields; min_length/max_length take a
 * non-negative integer and pattern a regular expression, on string and text fields.
 */
export function fieldCheck (field: CompiledField, operator: FieldOperator, value: unknown, ctx: { problems: Problems, at: string }): ((v: unknown) => boolean) | null {
  const { problems, at } = ctx
  const numeric = operator === 'min' || operator === 'max'
  if (!(numeric ? field.spec.numeric : field.spec.textual)) {
    problems.add(`${at}.operator`, 'type', `${operator} does not apply to ${field.name} (a ${field.type} field)`)
    return null
  }
  switch (operator) {
    case 'min': case 'max': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        problems.add(`${at}.value`, 'type', `${operator} needs a number`)
        return null
      }
      // Decimals arrive as numeric strings; the payload was type-checked before rules run.
      return operator === 'min' ? (v) => (toNumber(v) ?? NaN) >= value : (v) => (toNumber(v) ?? NaN) <= value
    }
    case 'min_length': case 'max_length': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        problems.add(`${at}.value`, 'type', `${operator} needs a non-negative integer`)
        return null
      }
      return operator === 'min_length' ? (v) => length(String(v)) >= value : (v) => length(String(v)) <= value
    }
    case 'pattern': return patternCheck(value, ctx)
  }
}

function patternCheck (value: unknown, ctx: { problems: Problems, at: string }): ((v: unknown) => boolean) | null {
  if (typeof value !== 'string') {
    ctx.problems.add(`${ctx.at}.value`, 'type', 'pattern needs a regular expression string')
    return null
  }
  try {
    // RE2 (re2js, pure JavaScript): matching time is linear in the input whatever the pattern, so
    // a pattern like ^(a+)+$ cannot stall the event loop (docs/VALIDATION.md, "Pattern rules").
    // No flags: an unanchored search, like RegExp.prototype.test.
    const re = RE2JS.compile(value)
    return (v) => re.matcher(String(v)).find()
  } catch (err) {
    const reason = err instanceof RE2JSSyntaxException ? err.message : String(err)
    ctx.problems.add(`${ctx.at}.value`, 'pattern', `invalid regular expression (RE2 syntax): ${reason.slice(0, 200)}`)
    return null
  }
}

/** The message of a failed field rule when the definition gives none. */
export function defaultFieldMessage (field: string, operator: FieldOperator, value: unknown): string {
  switch (operator) {
    case 'min': return `${field} must be at least ${String(value)}`
    case 'max': return `${field} must be at most ${String(value)}`
    case 'min_length': return `${field} must be at least ${String(value)} characters long`
    case 'max_length': return `${field} must be at most ${String(value)} characters long`
    case 'pattern': return `${field} does not match the required pattern`
  }
}
