import t from 'tap'
import type { AppContext } from '../../lib/apps/context.js'
import { buildRegistry } from '../../lib/metadata/registry.js'
import type { EntityDef, RelationDef } from '../../lib/metadata/types.js'
import { validateEntityDef } from '../../lib/metadata/validate-entity.js'
import { validateRelationDef } from '../../lib/metadata/validate-relation.js'
import { compileRule, compileRules } from '../../lib/rules/compile.js'
import { Problems } from '../../lib/rules/problems.js'
import { detailAt, recordOf } from '../../lib/rules/scope.js'
import type { RuleDef } from '../../lib/rules/types.js'
import { parseRuleBody } from '../../lib/rules/validate.js'
import { compileMachine, compileMachines } from '../../lib/state-machines/compile.js'
import type { MachineDef } from '../../lib/state-machines/types.js'
import type { WriteNode } from '../../lib/write/hooks.js'

const defs: EntityDef[] = [
  validateEntityDef({
    name: 'order',
    table: 'orders',
    fields: [
      { name: 'id', type: 'uuid' }, { name: 'ref', type: 'string' }, { name: 'qty', type: 'int' }, { name: 'total', type: 'decimal', precision: 2 },
      { name: 'state', type: 'string', enum: ['new', 'paid', 'shipped'] }, { name: 'paid_at', type: 'timestamp' }, { name: 'created_at', type: 'timestamp', auto: 'create' }
    ]
  }),
  validateEntityDef({ name: 'line', table: 'lines', fields: [{ name: 'id', type: 'uuid' }, { name: 'order_id', type: 'uuid' }, { name: 'sku', type: 'string' }] })
]
const rels: RelationDef[] = [validateRelationDef(
  { name: 'lines', type: 'one_to_many', source: 'order', target: 'line', target_key: 'order_id', inverse_name: 'order' }, new Map(defs.map((d) => [d.name, d])), []
)]
const registry = buildRegistry(defs, rels, 1)

function ruleProblems (body: unknown): Problems {
  const problems = new Problems()
  const def = parseRuleBody(body, problems)
  if (def !== null) compileRule({ ...def, id: 'r' }, registry, problems)
  return problems
}

t.test('field checks: operators, value types, absent values are the caller\'s concern', async (t) => {
  const check = (operator: string, value: unknown, field = operator.includes('length') || operator === 'pattern' ? 'ref' : 'qty'): ((v: unknown) => boolean) => {
    const problems = new Problems()
    const c = compileRule({ id: 'x', entity: 'order', hook: 'before_write', type: 'field', definition: { field, operator, value }, priority: 0, active: true }, registry, problems)
    if (c?.kind !== 'field') throw new Error(JSON.stringify(problems.details))
    return c.rule.check
  }
  t.same([0, 1, 2].map(check('min', 1)), [false, true, true])
  t.same([9, 10, 11].map(check('max', 10)), [true, true, false])
  t.same(['0.99', '1.00', 1].map(check('min', 1, 'total')), [false, true, true], 'decimal strings compare as numbers')
  t.same(['ab', 'abc', 'é€😀'].map(check('min_length', 3)), [false, true, true], 'length counts characters (code points)')
  t.same(['abc', 'abcd'].map(check('max_length', 3)), [true, false])
  t.same(['A-1', 'a-1'].map(check('pattern', '^[A-Z]-\\d$')), [true, false])
  const same = check('pattern', '^x$')
  t.same([same('x'), same('x')], [true, true], 'no lastIndex state between calls')
})

t.test('rule definitions are refused with their path', async (t) => {
  const fields = (body: unknown): Array<string | undefined> => ruleProblems(body).details.map((d) => d.field)
  t.same(fields({ entity: 'order', type: 'field', definition: { field: 'qty', operator: 'min', value: 1 } }), [])
  t.same(fields({ entity: 'order', type: 'field', definition: { field: 'qty', operator: 'min', value: '1' } }), ['definition.value'])
  t.same(fields({ entity: 'order', type: 'field', definition: { field: 'ref', operator: 'max_length', value: -1 } }), ['definition.value'])
  t.same(fields({ entity: 'order', type: 'field', definition: { field: 'ref', operator: 'min', value: 1 } }), ['definition.operator'])
  t.same(fields({ entity: 'order', type: 'expression', definition: { expression: '' } }), ['definition.expression'])
  t.same(fields({ entity: 'order', type: 'expression', definition: { expression: 'true', message: 3, stop_on_fail: 'yes' } }), ['definition.message', 'definition.stop_on_fail'])
  t.same(fields({ entity: 'order', type: 'expression', definition: { expression: 'true', related_load: 'lines' } }), ['definition.related_load'])
  t.same(fields({ entity: 'order', type: 'expression', definition: { expression: 'true', related_load: [{ relation: 'lines', filter: { 'sku.in': 'a,b' }, sort: 'x' }] } }), ['definition.related_load[0].sort'])
  t.same(fields({ entity: 'line', type: 'expression', definition: { expression: 'true', related_load: ['order'] } }), [], 'inverse edges are relations too')
  t.same(fields({ entity: 'order', type: 'computed', definition: { field: 'created_at', expression: 'now()' } }), ['definition.field'], 'auto fields are not writable')
  const syntax = ruleProblems({ entity: 'order', type: 'expression', definition: { expression: 'record.qty >> 2' } }).details[0]
  t.match(syntax, { field: 'definition.expression', rule: 'expression' })
  t.type(syntax?.position, 'number')
})

t.test('compileRules files rules per entity and hook, keeps order, skips stale rules', async (t) => {
  const row = (id: string, def: Partial<RuleDef>): RuleDef & { id: string } => ({ id, entity: 'order', hook: 'before_write', type: 'field', priority: 0, active: true, definition: {}, ...def })
  const compiled = compileRules([
    row('a', { definition: { field: 'qty', operator: 'min', value: 1 } }),
    row('b', { type: 'expression', definition: { expression: 'record.qty > 5' } }),
    row('c', { type: 'expression', hook: 'before_delete', definition: { expression: "record.state == 'paid'" } }),
    row('d', { definition: { field: 'gone', operator: 'min', value: 1 } }),
    row('e', { entity: 'ghost', definition: {} }),
    row('f', { type: 'computed', definition: { field: 'total', expression: "sum(related.lines, 'qty')", related_load: ['lines'] } }),
    row('g', { definition: { field: 'qty', operator: 'max', value: 9 } })
  ], registry)
  const order = compiled.byEntity.get('order')
  t.same(order?.write.fields.map((r) => r.id), ['a', 'g'])
  t.same(order?.write.expressions.map((r) => r.id), ['b'])
  t.same(order?.write.computed.map((r) => r.id), ['f'])
  t.equal(order?.write.computed[0]?.related[0]?.edge.name, 'lines')
  t.same(order?.delete.expressions.map((r) => r.id), ['c'])
  t.same(compiled.skipped.map((s) => s.id), ['d', 'e'])
  t.match(compiled.skipped[0]?.message, /no field 'gone'/)
})

t.test('state machines compile into a from → to index; problems carry paths', async (t) => {
  const machine = (definition: unknown, extra: Partial<MachineDef> = {}): { compiled: ReturnType<typeof compileMachine>, problems: Problems } => {
    const problems = new Problems()
    const compiled = compileMachine({ id: 'm', entity: 'order', field: 'state', active: true, definition: definition as MachineDef['definition'], ...extra }, registry, problems)
    return { compiled, problems }
  }
  const ok = machine({ initial: 'new', transitions: [{ from: 'new', to: 'paid', roles: [], actions: [{ type: 'set_field', field: 'paid_at', value: 'now' }] }, { from: ['new', 'paid'], to: 'shipped', roles: ['ops'] }] })
  t.same(ok.problems.details, [])
  t.same([...(ok.compiled?.transitions.keys() ?? [])], ['new', 'paid'])
  t.equal(ok.compiled?.transitions.get('new')?.get('paid')?.roles, null, 'an empty role list restricts nothing')
  t.same(ok.compiled?.transitions.get('paid')?.get('shipped')?.roles, ['ops'])
  t.match(ok.compiled?.transitions.get('new')?.get('paid')?.actions, [{ type: 'set_field', now: true }])
  t.same(machine({ initial: 'lost', transitions: [] }).problems.details.map((d) => d.field), ['definition.initial'], 'states must be enum values')
  t.same(machine({ initial: 'new', transitions: [] }, { field: 'qty' }).problems.details.map((d) => d.field), ['field'], 'the state field must be text')
  t.same(machine({ initial: 'new', transitions: [{ from: 'new', to: 'paid', actions: [{ type: 'set_field', field: 'qty', value: 'x' }] }] }).problems.details.map((d) => d.field), ['definition.transitions[0].actions[0].value'])
  t.same(machine({ initial: 'new', transitions: [], extra: 1 }).problems.details.map((d) => d.field), ['definition.extra'])
  const app = { name: 'unit' } as unknown as AppContext
  const all = compileMachines({ app, registry, actions: new Map() }, [{ id: 'x', entity: 'order', field: 'nope', active: true, definition: { initial: 'new', transitions: [] } }])
  t.same(all.skipped.map((s) => s.id), ['x'])
  t.equal(all.byEntity.size, 0)
})

t.test('scope helpers: record merges values over the row; details carry the payload position', async (t) => {
  const entity = registry.entities.get('line')
  if (entity === undefined) throw new Error('no line')
  const node = (over: Partial<WriteNode>): WriteNode => ({ entity, action: 'update', values: { sku: 'new' }, old: { id: '1', sku: 'old', order_id: 'o' }, path: '', ...over })
  t.same(recordOf(node({})), { id: '1', sku: 'new', order_id: 'o' })
  t.same(recordOf(node({ action: 'delete' })), { id: '1', sku: 'old', order_id: 'o' })
  t.same(recordOf(node({ action: 'create', old: null })), { sku: 'new' })
  t.same(detailAt(node({}), { field: 'sku', message: 'm' }), { field: 'sku', message: 'm' })
  t.same(detailAt(node({ path: 'lines[3]' }), { field: 'sku', message: 'm' }), { field: 'lines[3].sku', message: 'm', relation: 'lines', index: 3 })
  t.same(detailAt(node({ path: 'lines[0].parts[2]' }), { message: 'm' }), { field: 'lines[0].parts[2]', message: 'm', relation: 'parts', index: 2 })
  t.same(detailAt(node({ path: 'lines' }), { message: 'm' }), { field: 'lines', message: 'm' }, 'replace-mode leftovers have no index')
})
