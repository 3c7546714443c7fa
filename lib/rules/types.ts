import type { CompiledExpression } from '../expressions/index.js'
import type { CompiledField, RelationEdge } from '../metadata/compiled.js'
import type { SqlFilter } from '../query/index.js'

export const RULE_HOOKS = ['before_write', 'before_delete'] as const
export type RuleHook = typeof RULE_HOOKS[number]
export const RULE_TYPES = ['field', 'expression', 'computed'] as const
export type RuleType = typeof RULE_TYPES[number]
export const FIELD_OPERATORS = ['min', 'max', 'min_length', 'max_length', 'pattern'] as const
export type FieldOperator = typeof FIELD_OPERATORS[number]

/** A rule as sent through the admin API and stored in `_rules` (docs/reference.md, "Rules"). */
export interface RuleDef {
  entity: string
  hook: RuleHook
  type: RuleType
  /** FieldRuleDef | ExpressionRuleDef | ComputedRuleDef, by `type`. */
  definition: Record<string, unknown>
  priority: number
  active: boolean
}

/** A stored rule as the admin API returns it. */
export interface RuleRow extends RuleDef {
  id: string
  created_at: Date
  updated_at: Date
}

/** One relation to pre-load into `related.<name>`: only rows matching every filter. */
export interface RelatedLoad {
  edge: RelationEdge
  filters: SqlFilter[]
  /** Identifies the load within a rule set (relation plus filter) so rules share one query. */
  key: string
}

export interface CompiledFieldRule {
  id: string
  field: string
  operator: FieldOperator
  /** True when the (present, non-null) value satisfies the rule. */
  check: (value: unknown) => boolean
  message: string
  stopOnFail: boolean
}

export interface CompiledExpressionRule {
  id: string
  /** True when the rule is VIOLATED (docs/reference.md, "Rules"). */
  expression: CompiledExpression
  message: string
  stopOnFail: boolean
  related: RelatedLoad[]
}

export interface CompiledComputedRule {
  id: string
  field: CompiledField
  expression: CompiledExpression
  related: RelatedLoad[]
}

/** The rules of one hook of one entity, each list in `priority` order. */
export interface RuleSet {
  fields: CompiledFieldRule[]
  expressions: CompiledExpressionRule[]
  computed: CompiledComputedRule[]
}

export interface EntityRules {
  write: RuleSet
  delete: RuleSet
}

/** What the rules module stores in `registry.extensions` per metadata version. */
export interface CompiledRules {
  byEntity: Map<string, EntityRules>
  /** Active rules that no longer fit the metadata (e.g. their field was removed): not enforced. */
  skipped: Array<{ id: string, message: string }>
}
