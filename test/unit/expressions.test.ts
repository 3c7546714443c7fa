import t from 'tap'
import type { Test } from 'tap'
import {
  compileExpression, compileExpressionCached, evaluateBoolean,
  ExpressionSyntaxError, validateExpression
} from '../../lib/expressions/index.js'
import type { ExpressionScope } from '../../lib/expressions/index.js'

const scope: ExpressionScope = {
  record: {
    status: 'paid',
    amount: '12000.50',
    stock_level: '7',
    start_date: new Date('2024-01-01'),
    end_date: '2024-02-01',
    title: 'Hello',
    tags: ['a', 'b'],
    nested: { deep: { value: 3 } },
    empty: null
  },
  old: null,
  action: 'create',
  user: { id: 'u1', email: 'x@y.z', roles: ['editor', 'admin'] },
  related: { items: [{ quantity: 2, unit_price: '12.50' }, { quantity: '3', unit_price: 1 }] },
  context: { days: 6 },
  trigger: { record: { title: 'Ticket' } }
}

function run (source: string, s: ExpressionScope = scope): unknown {
  return compileExpression(source).evaluate(s)
}

/** Table-driven: [source, expected] evaluated against `scope`. */
function table (t: Test, rows: Array<[string, unknown]>): void {
  for (const [source, expected] of rows) t.same(run(source), expected, source)
}

t.test('real expressions from the example schemas', async (t) => {
  table(t, [
    ["record.status === 'paid'", true],
    ["action === 'create'", true],
    ['new Date(record.end_date) >= new Date(record.start_date)', true],
    ['new Date(record.start_date) >= new Date(record.end_date)', false],
    ["'admin' in user.roles", true],
    ['len(related.items) > 0', true],
    ["sum(related.items, 'quantity * unit_price')", 28],
    ['context.days > 5', true],
    ['record.stock_level < 10', true],
    ["record.amount > 10000 && !('manager' in user.roles)", true],
    ['trigger.record.title', 'Ticket']
  ])
})

t.test('literals', async (t) => {
  table(t, [
    ['1', 1], ['2.5', 2.5], ['.5', 0.5], ['1e3', 1000], ["'a'", 'a'], ['"b"', 'b'],
    ["'it\\'s'", "it's"], ['true', true], ['false', false], ['null', null], ['nil', null],
    ['[1, "x", null]', [1, 'x', null]], ['[]', []]
  ])
})

t.test('arithmetic operators', async (t) => {
  table(t, [
    ['1 + 2', 3], ['5 - 7', -2], ['3 * 4', 12], ['7 / 2', 3.5], ['7 % 3', 1],
    ['-3', -3], ['+"4"', 4], ['-"2.5"', -2.5], ['- - 2', 2],
    ["'a' + 'b'", 'ab'], ["'n' + 1", 'n1'], ["1 + 'n'", '1n'],
    ['"12.50" + 1', 13.5], ['"2" * "3"', 6], ['"10" - 4', 6], ['"9" / "3"', 3], ['"10" % "4"', 2],
    ['1 / 0', null], ['1 % 0', null], ['null + 1', null], ['1 + null', null], ['missing * 2', null],
    ["'a' + null", null], ['true + 1', null], ["'abc' * 2", null], ['-"abc"', null], ['+null', null],
    ['[1] + 1', null], ['1e308 * 10', null]
  ])
})

t.test('comparison operators', async (t) => {
  table(t, [
    ['1 < 2', true], ['2 < 1', false], ['2 <= 2', true], ['3 > 2', true], ['2 >= 3', false],
    ['"10" > "9"', true], ['"10" > 9', true], ['record.amount >= 12000.5', true],
    ["'apple' < 'banana'", true], ["'b' >= 'a'", true],
    ["'2024-01-01' < '2024-02-01'", true],
    ['null < 1', false], ['null >= null', false], ['1 > null', false], ['missing <= 0', false],
    ["'abc' < 1", false], ['[1] < [2]', false], ['false < true', true]
  ])
})

t.test('equality operators', async (t) => {
  table(t, [
    ['1 == 1', true], ['1 === 1', true], ['1 != 2', true], ['1 !== 1', false],
    ["1 == '1'", false], ["1 != '1'", true], ["'a' === 'a'", true],
    ['null == nil', true], ['missing == null', true], ['missing === null', true],
    ['record.empty == null', true], ['0 == null', false], ["'' == null", false], ['false == 0', false],
    ['[1] == [1]', false], ['true == true', true]
  ])
})

t.test('logical operators short-circuit and return operands', async (t) => {
  table(t, [
    ['true && false', false], ['true || false', true], ['!true', false], ['!null', true], ['!!"x"', true],
    ["'a' && 'b'", 'b'], ["0 && 'b'", 0], ["null || 'd'", 'd'], ["'x' || 'd'", 'x']
  ])
  // The right side is never evaluated: a 2-step budget would be exceeded by it.
  t.equal(compileExpression('false && record.a.b.c').evaluate(scope, { maxSteps: 2 }), false)
  t.equal(compileExpression('true || record.a.b.c').evaluate(scope, { maxSteps: 2 }), true)
})

t.test('precedence and associativity', async (t) => {
  table(t, [
    ['1 + 2 * 3', 7], ['(1 + 2) * 3', 9], ['10 - 4 - 3', 3], ['12 / 3 / 2', 2], ['2 * 3 % 4', 2],
    ['1 + 2 < 4', true], ['1 < 2 == true', true], ['!false && false || true', true],
    ['!true && true || false', false], ['-2 * -3', 6],
    ['true ? 1 : 2', 1], ['false ? 1 : 2', 2], ['false ? 1 : true ? 2 : 3', 2],
    ['false ? 1 : false ? 2 : 3', 3], ['true ? false ? 1 : 2 : 3', 2],
    ['1 + 1 == 2 ? "yes" : "no"', 'yes'], ['null || false ? "a" : "b"', 'b'],
    ["'a' in ['a'] && 1 < 2", true], ['1 + 1 in [2]', true]
  ])
  const s = (a: boolean, b: boolean, c: boolean): ExpressionScope => ({ a, b, c })
  for (const a of [true, false]) {
    for (const b of [true, false]) {
      for (const c of [true, false]) {
        t.equal(run('!a && b || c', s(a, b, c)), (!a && b) || c, `!a && b || c with ${a} ${b} ${c}`)
        t.equal(run('a || b && c', s(a, b, c)), a || (b && c), `a || b && c with ${a} ${b} ${c}`)
      }
    }
  }
})

t.test('member access is null-safe and reads own properties only', async (t) => {
  table(t, [
    ['record.status', 'paid'], ["record['status']", 'paid'], ['record.nested.deep.value', 3],
    ["record['nested']['deep'].value", 3], ['record.tags[1]', 'b'], ['record.tags[5]', null],
    ['record.tags.length', 2], ['record.title.length', 5], ['record.title[0]', 'H'],
    ['record.missing.deeper.still', null], ['nothing.at.all', null], ['record.empty.x', null],
    ['record.toString', null], ['record.hasOwnProperty', null], ['record.tags.push', null],
    ['record.title.toUpperCase', null], ["record['valueOf']", null], ['record[null]', null],
    ['record[record]', null], ['record.start_date.getTime', null], ['(1).x', null], ['true.x', null],
    ['old', null], ['old.status', null], ['undefinedVariable', null],
    ['record?.status', 'paid'], ['old?.status', null]
  ])
  t.equal(run('record.x', { record: { x: undefined } }), null, 'undefined values read as null')
  t.equal(run('record.__x', { record: JSON.parse('{"__x": 1}') }), 1)
  // A JSON own "__proto__" key is plain data, and a dynamic key cannot reach the prototype.
  t.equal(run('record[k]', { record: {}, k: '__proto__' }), null)
  t.equal(run('record[k]', { record: {}, k: 'constructor' }), null)
  t.equal(run('x', Object.create({ x: 1 }) as ExpressionScope), null, 'inherited scope keys are invisible')
})

t.test('variables', async (t) => {
  table(t, [['action', 'create'], ['user.id', 'u1'], ['context.days', 6], ['related.items[0].quantity', 2]])
  t.ok(run('now') instanceof Date, 'now defaults to the current time')
  const fixed = new Date('2020-01-01')
  t.equal(run('now', { now: fixed }), fixed, 'now from the scope wins')
})

t.test('in operator', async (t) => {
  table(t, [
    ["'a' in ['a', 'b']", true], ["'c' in ['a', 'b']", false], ['1 in [1, 2]', true],
    ["'1' in [1, 2]", false], ['null in [null]', true], ['null in [1]', false],
    ["'ell' in 'hello'", true], ["'x' in 'hello'", false], ["1 in 'a1'", true],
    ["'status' in record", true], ["'nope' in record", false], ["'toString' in record", false],
    ["'constr' + 'uctor' in record", false], ["'a' in null", false], ["'a' in missing", false],
    ["'a' in 5", false], ["null in 'null'", false], ['[1] in [[1]]', false],
    ["'admin' in user.roles", true], ["!('manager' in user.roles)", true]
  ])
  t.equal(run('d in list', { d: new Date('2024-01-01'), list: [new Date('2024-01-01')] }), true, 'Dates by value')
})

t.test('dates', async (t) => {
  const dates: ExpressionScope = { a: '2024-01-15', b: new Date('2024-01-15'), c: new Date('2024-03-01'), bad: 'nope' }
  t.equal(run('new Date(a) == new Date(b)', dates), true, '== compares Dates by value')
  t.equal(run('new Date(a) === b', dates), true)
  t.equal(run('new Date(a) != new Date(b)', dates), false)
  t.equal(run('new Date(c) > new Date(a)', dates), true)
  t.equal(run('c > a', dates), true, 'a Date against a date string compares instants')
  t.equal(run("b <= '2024-01-15'", dates), true)
  t.equal(run('c - b', dates), 46 * 86_400_000, 'subtracting Dates gives milliseconds')
  t.equal(run('new Date(bad)', dates), null, 'invalid dates are null')
  t.equal(run('new Date(missing)', dates), null)
  t.equal(run('new Date(bad) < c', dates), false)
  t.equal(run('new Date(bad) == new Date(bad)', dates), true, 'two nulls are equal')
  t.equal(run('new Date(0)', dates)?.valueOf(), 0)
  t.ok(run('new Date()') instanceof Date)
  const before = Date.now()
  const value = run('now()') as Date
  t.ok(value instanceof Date && value.getTime() >= before && value.getTime() <= Date.now())
  t.equal(run('now() > new Date(a)', dates), true)
})

t.test('evaluateBoolean uses truthiness', async (t) => {
  for (const [source, expected] of [['1', true], ['0', false], ["''", false], ["'x'", true], ['null', false], ['[]', true]] as const) {
    t.equal(evaluateBoolean(compileExpression(source), scope), expected, source)
  }
})

t.test('compiled expressions expose their source and are cached', async (t) => {
  const c = compileExpression('1 + 1')
  t.equal(c.source, '1 + 1')
  const cached = compileExpressionCached('record.status')
  t.equal(compileExpressionCached('record.status'), cached, 'same source compiles once')
  t.not(compileExpressionCached('record.status '), cached)
  t.throws(() => compileExpressionCached('record.'), ExpressionSyntaxError, 'failures are not cached')
  t.throws(() => compileExpressionCached('record.'), ExpressionSyntaxError)
  for (let i = 0; i < 6000; i++) compileExpressionCached(`${i} + 1`)
  t.equal(compileExpressionCached('5999 + 1').evaluate({}), 6000, 'cache stays usable past its bound')
  t.not(compileExpressionCached('record.status'), cached, 'oldest entries were evicted')
})

t.test('validateExpression', async (t) => {
  t.same(validateExpression("record.status === 'paid'"), { ok: true })
  const syntax = validateExpression('record.')
  t.equal(syntax.ok, false)
  if (!syntax.ok) t.equal(syntax.position, 7, 'syntax errors carry the position')
  const bad = validateExpression('1 + eval(2)')
  t.same(bad, { ok: false, message: 'Unknown function "eval"', position: 4 })
  t.same(validateExpression(42 as unknown as string), { ok: false, message: 'Expression must be a string', position: 0 })
})
