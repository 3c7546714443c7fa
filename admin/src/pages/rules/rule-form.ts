import type { FieldOperator, RuleBody, RuleHook, RuleRow, RuleType } from '../../api/logic.js'
import { looseValue, parseJsonText, valueText } from '../../components/form-values.js'

/** The rule form's state: every input as text, whatever the rule type. */
export interface RuleDraft {
  entity: string
  hook: RuleHook
  type: RuleType
  priority: string
  active: boolean
  field: string
  operator: FieldOperator
  value: string
  expression: string
  message: string
  stopOnFail: boolean
  relatedLoad: string
}

export function draftOf (r: RuleRow | null): RuleDraft {
  const d = r?.definition ?? {}
  const str = (v: unknown): string => typeof v === 'string' ? v : ''
  return {
    entity: r?.entity ?? '',
    hook: r?.hook ?? 'before_write',
    type: r?.type ?? 'expression',
    priority: String(r?.priority ?? 0),
    active: r?.active ?? true,
    field: str(d.field),
    operator: (d.operator as FieldOperator | undefined) ?? 'min',
    value: valueText(d.value),
    expression: str(d.expression),
    message: str(d.message),
    stopOnFail: d.stop_on_fail === true,
    relatedLoad: d.related_load === undefined ? '' : JSON.stringify(d.related_load, null, 2)
  }
}

/**
 * The body the admin API takes. Only the keys of the chosen type are sent (the server refuses
 * unknown definition keys); an unparseable priority or related_load throws before sending.
 */
export function bodyOf (d: RuleDraft): RuleBody {
  const definition: Record<string, unknown> = {}
  const related = parseJsonText(d.relatedLoad, 'related_load')
  if (d.type === 'field') {
    definition.field = d.field
    definition.operator = d.operator
    // A pattern is always text; bounds are numbers when they parse.
    definition.value = d.operator === 'pattern' ? d.value : looseValue(d.value)
  } else {
    if (d.type === 'computed') definition.field = d.field
    definition.expression = d.expression
    if (related !== undefined) definition.related_load = related
  }
  if (d.type !== 'computed') {
    if (d.message.trim() !== '') definition.message = d.message
    if (d.stopOnFail) definition.stop_on_fail = true
  }
  const priority = Number(d.priority.trim() === '' ? '0' : d.priority)
  if (!Number.isInteger(priority)) throw new Error('priority must be an integer')
  return { entity: d.entity, hook: d.type === 'computed' ? 'before_write' : d.hook, type: d.type, definition, priority, active: d.active }
}

/** One line describing a rule in the list. */
export function summaryOf (r: RuleRow): string {
  const d = r.definition
  if (r.type === 'field') return `${String(d.field)} ${String(d.operator)} ${valueText(d.value)}`
  if (r.type === 'computed') return `${String(d.field)} = ${String(d.expression)}`
  return String(d.expression)
}
