import { didYouMean } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { defaultFieldMessage, fieldCheck } from './field-checks.js'
import { checkKeys, Problems } from './problems.js'
import { compileRelatedLoad } from './related.js'
import { parseRuleBody } from './validate.js'
import {
  FIELD_OPERATORS, type CompiledComputedRule, type CompiledExpressionRule, type CompiledFieldRule, type CompiledRules,
  type EntityRules, type FieldOperator, type RuleDef, type RuleSet
} from './types.js'

/** A rule compiled for its entity, tagged by kind so it can be filed into the entity's rule set. */
export type CompiledRule =
  | { kind: 'field', rule: CompiledFieldRule }
  | { kind: 'expression', rule: CompiledExpressionRule }
  | { kind: 'computed', rule: CompiledComputedRule }

/** Module name; also the key of the compiled rules in `registry.extensions`. */
export const RULES = 'rules'

const EMPTY: CompiledRules = { byEntity: new Map(), skipped: [] }

/** The compiled rules of a registry version (none before the module loaded). */
export function rulesOf (registry: Registry): CompiledRules {
  return (registry.extensions.get(RULES) as CompiledRules | undefined) ?? EMPTY
}

function fieldOf (entity: CompiledEntity, name: unknown, ctx: { problems: Problems, at: string, writable: boolean }): CompiledField | null {
  const field = typeof name === 'string' ? entity.fields.get(name) : undefined
  if (field === undefined) {
    const hint = typeof name === 'string' ? didYouMean(name, entity.fields.keys()) : ''
    ctx.problems.add(ctx.at, 'exists', `${entity.name} has no field '${String(name)}'${hint}`)
    return null
  }
  if (ctx.writable && (!field.writable || field.isPk)) {
    ctx.problems.add(ctx.at, 'writable', `${field.name} is not a writable field (primary key, auto or deleted_at)`)
    return null
  }
  return field
}

function optionalString (problems: Problems, at: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value
  problems.add(at, 'type', `${at} must be a string`)
  return undefined
}

function optionalFlag (problems: Problems, at: string, value: unknown): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true
  problems.add(at, 'type', `${at} must be a boolean`)
  return false
}

function compileField (entity: CompiledEntity, id: string, d: Record<string, unknown>, problems: Problems): CompiledRule | null {
  checkKeys(problems, 'definition', d, ['field', 'operator', 'value', 'message', 'stop_on_fail'])
  const field = fieldOf(entity, d.field, { problems, at: 'definition.field', writable: false })
  const operator = d.operator as FieldOperator
  if (!FIELD_OPERATORS.includes(operator)) problems.add('definition.operator', 'enum', `operator must be one of: ${FIELD_OPERATORS.join(', ')}`)
  const message = optionalString(problems, 'definition.message', d.message)
  const stopOnFail = optionalFlag(problems, 'definition.stop_on_fail', d.stop_on_fail)
  if (field === null || !FIELD_OPERATORS.includes(operator)) return null
  const check = fieldCheck(field, operator, d.value, { problems, at: 'definition' })
  if (check === null) return null
  return { kind: 'field', rule: { id, field: field.name, operator, check, message: message ?? defaultFieldMessage(field.name, operator, d.value), stopOnFail } }
}

function compileExpressionRule (entity: CompiledEntity, id: string, d: Record<string, unknown>, ctx: { registry: Registry, problems: Problems }): CompiledRule | null {
  const { problems } = ctx
  checkKeys(problems, 'definition', d, ['expression', 'message', 'stop_on_fail', 'related_load'])
  const expression = problems.expression('definition.expression', d.expression)
  const message = optionalString(problems, 'definition.message', d.message)
  const stopOnFail = optionalFlag(problems, 'definition.stop_on_fail', d.stop_on_fail)
  const related = compileRelatedLoad(entity, d.related_load, { ...ctx, at: 'definition.related_load' })
  if (expression === null) return null
  return { kind: 'expression', rule: { id, expression, message: message ?? `Rule violated: ${expression.source}`, stopOnFail, related } }
}

function compileComputed (entity: CompiledEntity, id: string, d: Record<string, unknown>, ctx: { registry: Registry, problems: Problems }): CompiledRule | null {
  const { problems } = ctx
  checkKeys(problems, 'definition', d, ['field', 'expression', 'related_load'])
  const field = fieldOf(entity, d.field, { problems, at: 'definition.field', writable: true })
  const expression = problems.expression('definition.expression', d.expression)
  const related = compileRelatedLoad(entity, d.related_load, { ...ctx, at: 'definition.related_load' })
  if (field === null || expression === null) return null
  return { kind: 'computed', rule: { id, field, expression, related } }
}

/**
 * Checks a rule against the metadata and compiles it: the entity and field exist, the operator
 * suits the field, patterns compile, expressions parse (problems carry their position) and
 * `related_load` names relations of the entity with valid filters. Null when there were problems.
 */
export function compileRule (def: RuleDef & { id: string }, registry: Registry, problems: Problems): CompiledRule | null {
  const entity = registry.entities.get(def.entity)
  if (entity === undefined) {
    problems.add('entity', 'exists', `unknown entity '${def.entity}'${didYouMean(def.entity, registry.entities.keys())}`)
    return null
  }
  switch (def.type) {
    case 'field': return compileField(entity, def.id, def.definition, problems)
    case 'expression': return compileExpressionRule(entity, def.id, def.definition, { registry, problems })
    case 'computed': return compileComputed(entity, def.id, def.definition, { registry, problems })
  }
}

function emptySet (): RuleSet {
  return { fields: [], expressions: [], computed: [] }
}

/**
 * Compiles the active rules of an app for one registry version. `rows` must come in
 * `priority` order (ties by creation), which every rule list keeps. A rule that no longer fits
 * the metadata (its entity or field was removed since it was saved) is skipped and listed.
 */
export function compileRules (rows: ReadonlyArray<RuleDef & { id: string }>, registry: Registry): CompiledRules {
  const byEntity = new Map<string, EntityRules>()
  const skipped: CompiledRules['skipped'] = []
  for (const row of rows) {
    const problems = new Problems()
    // Rows are re-checked whole: the table may hold rows written by hand or by an older version.
    const def = parseRuleBody(row, problems)
    const compiled = def === null ? null : compileRule({ ...def, id: row.id }, registry, problems)
    if (def === null || compiled === null || problems.any) {
      skipped.push({ id: row.id, message: problems.details.map((d) => d.message).join('; ') })
      continue
    }
    let rules = byEntity.get(def.entity)
    if (rules === undefined) {
      rules = { write: emptySet(), delete: emptySet() }
      byEntity.set(def.entity, rules)
    }
    const set = def.hook === 'before_delete' ? rules.delete : rules.write
    if (compiled.kind === 'field') set.fields.push(compiled.rule)
    else if (compiled.kind === 'expression') set.expressions.push(compiled.rule)
    else set.computed.push(compiled.rule)
  }
  return { byEntity, skipped }
}
