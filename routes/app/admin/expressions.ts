import type { FastifyInstance } from 'fastify'
import { validationFailed } from '../../../lib/errors.js'
import { compileExpression, ExpressionBudgetError, ExpressionSyntaxError } from '../../../lib/expressions/index.js'
import { EVALUATE_ROUTE } from '../../../lib/expressions/schemas.js'

interface EvaluateBody {
  expression: string
  record?: Record<string, unknown>
  old?: Record<string, unknown> | null
  user?: Record<string, unknown> | null
  related?: Record<string, unknown>
  context?: Record<string, unknown>
  action?: 'create' | 'update' | 'delete'
}

/**
 * `POST /_admin/expressions/evaluate`: the admin UI's expression tester. The expression goes
 * through the same parser and whitelist compiler as metadata (never eval), then is evaluated
 * once against the sample variables with the default step budget. A syntax or whitelist error
 * is a 422 whose detail carries the 0-based position; an exhausted budget is a 422 too.
 */
export default async function expressionAdminRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.post<{ Body: EvaluateBody }>('/evaluate', { schema: EVALUATE_ROUTE }, async (request) => {
    const b = request.body
    let compiled
    try {
      compiled = compileExpression(b.expression)
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err
      const message = `${err.message} (at position ${err.position})`
      throw validationFailed(`Invalid expression: ${message}`, [{ field: 'expression', rule: 'syntax', message, position: err.position }])
    }
    const scope = {
      record: b.record ?? {},
      old: b.old ?? null,
      user: b.user ?? null,
      related: b.related ?? {},
      context: b.context ?? {},
      action: b.action ?? (b.old === undefined || b.old === null ? 'create' : 'update'),
      now: new Date()
    }
    try {
      return { data: { result: compiled.evaluate(scope) ?? null } }
    } catch (err) {
      if (!(err instanceof ExpressionBudgetError)) throw err
      throw validationFailed(err.message, [{ field: 'expression', rule: 'budget', message: err.message }])
    }
  })
}
