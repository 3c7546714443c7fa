/**
 * Variables an expression can read: `record`, `old`, `action`, `user`, `related`, `context`,
 * `now`, `trigger`, `changes`, `entity`... Only own properties are visible.
 */
export type ExpressionScope = Record<string, unknown>

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** Node evaluations allowed before `ExpressionBudgetError` (default 10 000). */
  maxSteps?: number
}

/** An expression parsed, validated and compiled once; evaluate it as often as needed. */
export interface CompiledExpression {
  readonly source: string
  evaluate (scope: ExpressionScope, options?: EvaluateOptions): unknown
}

/** Result of `validateExpression`: what the admin API turns into a 422. */
export type ValidationResult =
  | { ok: true }
  | { ok: false, message: string, position: number }
