export {
  compileExpression, compileExpressionCached, evaluateBoolean, DEFAULT_MAX_STEPS
} from './compile.js'
export { validateExpression, parseExpression } from './validate.js'
export { ExpressionSyntaxError, ExpressionBudgetError } from './errors.js'
export { FUNCTIONS } from './functions.js'
export type { CompiledExpression, EvaluateOptions, ExpressionScope, ValidationResult } from './types.js'
