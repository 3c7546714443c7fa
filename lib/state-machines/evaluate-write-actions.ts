import { validationFailed } from '../errors.js'
import { ExpressionBudgetError, type ExpressionScope } from '../expressions/index.js'
import type { CreateRecordAction, SetFieldAction } from './types.js'

/** What a compiled `set_field` action writes: a copy of its literal, or `at` as the field stores a time when it said "now". */
export function setFieldValue (action: Pick<SetFieldAction, 'field' | 'value' | 'now'>, at: Date): unknown {
  return action.now ? action.field.spec.storedMoment(at.toISOString()) : structuredClone(action.value)
}

/** An expression's result as a write takes it: dates (now(), date(x)) as the ISO text a client would send, nothing as null. */
export function writableValue (v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : v ?? null
}

/**
 * The body a compiled `create_record` action (state machine or workflow) writes: literals as
 * they are, expressions evaluated over `scope`. An expression that runs out of budget is a 422
 * worded by `budgetMessage`.
 */
export function createRecordBody (action: CreateRecordAction, scope: ExpressionScope, budgetMessage: (field: string, err: ExpressionBudgetError) => string): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const { field, value } of action.data) {
    if ('literal' in value) {
      body[field] = value.literal
      continue
    }
    try {
      body[field] = writableValue(value.evaluate(scope))
    } catch (err) {
      if (!(err instanceof ExpressionBudgetError)) throw err
      throw validationFailed(budgetMessage(field, err))
    }
  }
  return body
}
