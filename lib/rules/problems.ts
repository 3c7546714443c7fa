import { unknownKeyDetails, validationFailed, type ErrorDetail } from '../errors.js'
import { compileExpressionCached, ExpressionSyntaxError, type CompiledExpression } from '../expressions/index.js'

/**
 * Collects what is wrong with a business-logic definition (a rule, a state machine) so the
 * admin API answers one 422 listing every problem, each named by its path in the body
 * (`definition.transitions[2].guard`). The same checks run when metadata loads, where a
 * definition with problems is skipped instead.
 */
export class Problems {
  readonly details: ErrorDetail[] = []

  add (field: string, rule: string, message: string, position?: number): void {
    this.details.push(position === undefined ? { field, rule, message } : { field, rule, message, position })
  }

  get any (): boolean {
    return this.details.length > 0
  }

  /** Compiles an expression (cached by source), recording a syntax error with its position. */
  expression (field: string, source: unknown): CompiledExpression | null {
    if (typeof source !== 'string' || source.trim() === '') {
      this.add(field, 'expression', `${field} must be a non-empty expression string`)
      return null
    }
    try {
      return compileExpressionCached(source)
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err
      this.add(field, 'expression', `${field}: ${err.message}`, err.position)
      return null
    }
  }

  /** Throws the 422 for everything collected (no-op when nothing was). */
  throwIfAny (what: string): void {
    if (!this.any) return
    const first = this.details[0]
    const message = this.details.length === 1 && first !== undefined ? `Invalid ${what}: ${first.message}` : `Invalid ${what}`
    throw validationFailed(message, this.details)
  }
}

/** A JSON object (not null, not an array). */
export function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Keys of a stored row that a client may send back unchanged (GET, edit, PUT); they are ignored. */
export const ROW_KEYS: readonly string[] = ['id', 'created_at', 'updated_at']

/** Records every key of `obj` outside `allowed` (a typo such as `stop_on_failure` would otherwise be ignored silently). */
export function checkKeys (problems: Problems, at: string, obj: Record<string, unknown>, allowed: readonly string[], ignored: readonly string[] = []): void {
  for (const d of unknownKeyDetails(at, obj, allowed, ignored)) problems.add(d.field ?? '', 'unknown', d.message)
}
