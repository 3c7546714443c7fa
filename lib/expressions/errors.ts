/**
 * An expression that cannot be parsed or uses a construct outside the language. Raised when
 * metadata is saved (422), never at request time; `position` is the 0-based character offset.
 */
export class ExpressionSyntaxError extends Error {
  readonly position: number

  constructor (message: string, position: number) {
    super(message)
    this.name = 'ExpressionSyntaxError'
    this.position = position
  }
}

/** An evaluation that used more steps than its budget: the expression is too costly for its data. */
export class ExpressionBudgetError extends Error {
  readonly maxSteps: number

  constructor (maxSteps: number) {
    super(`Expression exceeded its budget of ${maxSteps} steps`)
    this.name = 'ExpressionBudgetError'
    this.maxSteps = maxSteps
  }
}
