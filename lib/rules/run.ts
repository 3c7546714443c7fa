import { validationFailed, type ErrorDetail } from '../errors.js'
import { ExpressionBudgetError, type CompiledExpression, type ExpressionScope } from '../expressions/index.js'
import { ajvErrorsToDetails } from '../schema/ajv.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { rulesOf } from './compile.js'
import { loadRelated } from './related.js'
import { detailAt, recordOf, scopeOf } from './scope.js'
import type { CompiledComputedRule, RelatedLoad, RuleSet } from './types.js'

/** What the rules of one record evaluate against; related rows are loaded on first use. */
class Evaluation {
  readonly record: Record<string, unknown>
  private readonly cache = new Map<string, unknown>()
  private base: ExpressionScope | null = null

  constructor (readonly node: WriteNode, readonly unit: WriteUnit) {
    this.record = recordOf(node)
  }

  async scope (related: readonly RelatedLoad[]): Promise<ExpressionScope> {
    if (related.length === 0) {
      this.base ??= scopeOf(this.node, this.unit, { record: this.record })
      return this.base
    }
    const loaded = await loadRelated(this.unit, { entity: this.node.entity, record: this.record }, related, this.cache)
    return scopeOf(this.node, this.unit, { record: this.record, related: loaded })
  }
}

/** Evaluates an expression; a budget overrun becomes a 422 (the rule cannot be decided, so the write is refused). */
function evaluate (expression: CompiledExpression, scope: ExpressionScope, node: WriteNode): unknown {
  try {
    return expression.evaluate(scope)
  } catch (err) {
    if (!(err instanceof ExpressionBudgetError)) throw err
    const message = `Rule expression could not be evaluated: ${err.message}`
    throw validationFailed(message, [detailAt(node, { rule: 'budget', message })])
  }
}

function failure (failures: ErrorDetail[]): Error {
  const first = failures[0]
  const message = failures.length === 1 && first !== undefined ? first.message : `${failures.length} rules failed: ${failures.map((f) => f.message).join('; ')}`
  return validationFailed(message.length > 500 ? `${message.slice(0, 497)}...` : message, failures)
}

/**
 * Validation stage of one record: field rules, then expression rules (true = violated), each
 * in priority order. Every failure is collected; a failing rule with `stop_on_fail` ends the
 * evaluation there. Field rules check the incoming value (on delete: the current one) and are
 * skipped when it is absent or null; a partial update is not judged on fields it leaves alone.
 */
async function validate (set: RuleSet, ev: Evaluation): Promise<void> {
  const { node } = ev
  const source = node.action === 'delete' ? ev.record : node.values
  const failures: ErrorDetail[] = []
  for (const r of set.fields) {
    const value = source[r.field]
    if (value === undefined || value === null || r.check(value)) continue
    failures.push(detailAt(node, { field: r.field, rule: r.operator, message: r.message }))
    if (r.stopOnFail) throw failure(failures)
  }
  for (const r of set.expressions) {
    if (!evaluate(r.expression, await ev.scope(r.related), node)) continue
    failures.push(detailAt(node, { rule: 'expression', message: r.message }))
    if (r.stopOnFail) throw failure(failures)
  }
  if (failures.length > 0) throw failure(failures)
}

/** Dates become the text the field stores; everything else is checked by the entity's validator. */
function computedValue (rule: CompiledComputedRule, raw: unknown): unknown {
  if (raw === undefined) return null
  if (raw instanceof Date) return rule.field.spec.storedMoment(raw.toISOString())
  return raw
}

/** Computed fields, in priority order; each sees the values computed before it. */
async function compute (set: RuleSet, ev: Evaluation): Promise<void> {
  const { node } = ev
  for (const r of set.computed) {
    const value = computedValue(r, evaluate(r.expression, await ev.scope(r.related), node))
    const name = r.field.name
    // The computed value goes to the database like a client's: it must fit the field.
    const validate = node.entity.validateUpdate
    if (!validate({ [name]: value })) {
      const reasons = ajvErrorsToDetails(validate.errors).map((d) => d.message).join('; ')
      const message = `Computed value of ${name} is invalid: ${reasons}`
      throw validationFailed(message, [detailAt(node, { field: name, rule: 'computed', message })])
    }
    node.values[name] = value
    ev.record[name] = value
  }
}

/** The module's `needsOld`: an update whose entity has write rules evaluates them on the whole record. */
export function rulesNeedOld (node: WriteNode, unit: WriteUnit): boolean {
  const set = rulesOf(unit.registry).byEntity.get(node.entity.name)?.write
  return set !== undefined && (set.fields.length > 0 || set.expressions.length > 0 || set.computed.length > 0)
}

/** The module's `readsBeforeWrite`: rules with a `related_load` read related rows before the write. */
export function rulesReadRows (node: WriteNode, unit: WriteUnit): boolean {
  const rules = rulesOf(unit.registry).byEntity.get(node.entity.name)
  const set = node.action === 'delete' ? rules?.delete : rules?.write
  return set !== undefined && (set.expressions.some((r) => r.related.length > 0) || set.computed.some((r) => r.related.length > 0))
}

/**
 * The rules module's `beforeWrite`: runs the entity's rules for the record's hook
 * (before_write on create/update, before_delete on delete) and, when validation passed,
 * sets computed fields on `node.values`.
 */
export function runRules (node: WriteNode, unit: WriteUnit): Promise<void> | undefined {
  const rules = rulesOf(unit.registry).byEntity.get(node.entity.name)
  if (rules === undefined) return undefined
  const set = node.action === 'delete' ? rules.delete : rules.write
  if (set.fields.length === 0 && set.expressions.length === 0 && set.computed.length === 0) return undefined
  return runRuleSet(set, new Evaluation(node, unit))
}

async function runRuleSet (set: RuleSet, ev: Evaluation): Promise<void> {
  await validate(set, ev)
  if (ev.node.action !== 'delete') await compute(set, ev)
}
