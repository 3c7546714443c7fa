/**
 * Rocket's one expression language (docs/reference.md, "Expressions"), used by rules, computed fields, state-machine
 * guards, workflow conditions and context mappings, and webhook conditions.
 *
 * Compile when metadata is saved or loaded (`validateExpression` / `compileExpressionCached`),
 * evaluate per request. Semantics callers rely on:
 * - missing variables and members are null, never an error; only own properties are read;
 * - `==` is `===` (no coercion: `1 == '1'` is false) except that Dates compare by instant;
 * - arithmetic propagates null (null operand, non-numeric operand, division by zero);
 *   numeric strings from NUMERIC/BIGINT columns count as numbers in arithmetic and ordering;
 * - ordering with null or incomparable operands is false;
 * - `evaluate` throws nothing but `ExpressionBudgetError`.
 */
export {
  compileExpression, compileExpressionCached, evaluateBoolean, DEFAULT_MAX_STEPS
} from './compile.js'
export { validateExpression, parseExpression } from './validate.js'
export { ExpressionSyntaxError, ExpressionBudgetError } from './errors.js'
export { FUNCTIONS } from './functions.js'
export type { CompiledExpression, EvaluateOptions, ExpressionScope, ValidationResult } from './types.js'
