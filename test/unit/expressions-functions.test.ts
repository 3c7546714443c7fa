import t from 'tap'
import type { Test } from 'tap'
import { compileExpression, ExpressionSyntaxError } from '../../lib/expressions/index.js'
import type { ExpressionScope } from '../../lib/expressions/index.js'

const scope: ExpressionScope = {
  record: { name: 'Widget', price: '12.50', qty: 3 },
  related: {
    items: [
      { quantity: 2, unit_price: '12.50' },
      { quantity: '3', unit_price: 1 },
      { quantity: null, unit_price: 5 },
      { quantity: 1 }
    ],
    numbers: [1, '2.5', null, 'x', 4],
    none: []
  },
  factor: 10,
  d1: new Date('2024-01-01'),
  d2: new Date('2024-06-01')
}

function run (source: string): unknown {
  return compileExpression(source).evaluate(scope)
}

function table (t: Test, rows: Array<[string, unknown]>): void {
  for (const [source, expected] of rows) t.same(run(source), expected, source)
}

t.test('len', async (t) => {
  table(t, [
    ["len('abc')", 3], ['len(related.items)', 4], ['len(record)', 3], ['len(null)', 0],
    ['len(missing)', 0], ['len(42)', 0], ["len('')", 0], ['len([])', 0], ['len(d1)', 0]
  ])
})

t.test('sum', async (t) => {
  table(t, [
    ["sum(related.items, 'quantity * unit_price')", 28],
    ["sum(related.items, 'item.quantity')", 6],
    ["sum(related.items, 'quantity * factor')", 60],
    ['sum(related.numbers)', 7.5], ['sum([1, 2, 3])', 6], ['sum(related.none)', 0],
    ["sum(related.none, 'quantity')", 0], ['sum(null)', 0], ["sum(missing, 'x')", 0],
    ["sum('abc')", 0], ["sum([1, 2], 'item * 2')", 6], ["sum([[1, 2], [3]], 'sum(item)')", 6],
    ["sum(related.items, 'quantity > 1 ? 1 : 0')", 2]
  ])
  const scoped = { factor: 2, rows: [{ factor: 5, item: 'field', v: 1 }, { v: 2 }], nested: [[1, 2], [3]] }
  t.equal(compileExpression("sum(rows, 'factor')").evaluate(scoped), 7, 'item fields shadow outer variables')
  t.equal(compileExpression("sum(rows, 'item.v')").evaluate(scoped), 3, '`item` is the item, even over a field named item')
  t.equal(compileExpression("sum(rows, 'missing')").evaluate(scoped), 0, 'unknown names are still null')
  t.equal(compileExpression("sum(nested, 'sum(item, \\'item * factor\\')')").evaluate(scoped), 12,
    'nested sums see their own item and the outer variables')
  t.throws(() => compileExpression('sum(related.items, field)'), ExpressionSyntaxError,
    'the expression must be a string literal')
  t.throws(() => compileExpression("sum(related.items, 'quantity *')"), ExpressionSyntaxError,
    'the inner expression is validated when the outer one is')
})

t.test('min and max', async (t) => {
  table(t, [
    ['min(3, 1, 2)', 1], ['max(3, 1, 2)', 3], ['min([5, "2.5", 9])', 2.5], ['max(related.numbers)', 4],
    ['min(null, 4, missing)', 4], ['max(null)', null], ['min([])', null], ['max(7)', 7],
    ["min('b', 'a', 'c')", 'a'], ["max('10', 9)", 10], ['min(record.price, 20)', 12.5]
  ])
  t.equal((run('min(d1, d2)') as Date).getTime(), new Date('2024-01-01').getTime(), 'Dates by instant')
  t.equal((run('max([d1, d2])') as Date).getTime(), new Date('2024-06-01').getTime())
})

t.test('abs and round', async (t) => {
  table(t, [
    ['abs(-3)', 3], ['abs("-2.5")', 2.5], ['abs(null)', null], ["abs('x')", null],
    ['round(2.4)', 2], ['round(2.5)', 3], ['round(-2.5)', -3], ['round(1.005, 2)', 1.01],
    ['round("12.345", 2)', 12.35], ['round(1234, -2)', 1200], ['round(1.5, null)', null],
    ['round(null)', null], ["round('x', 2)", null], ['round(0.1 + 0.2, 10)', 0.3],
    ['round(1e-7, 8)', 1e-7], ['round(123.456, 1.9)', 123.5]
  ])
})

t.test('lower, upper, contains, startsWith', async (t) => {
  table(t, [
    ["lower('AbC')", 'abc'], ["upper('AbC')", 'ABC'], ['lower(null)', null], ['upper(12)', '12'],
    ['lower(record)', null],
    ["contains('hello', 'ell')", true], ["contains('hello', 'z')", false], ["contains(['a', 'b'], 'b')", true],
    ["contains(null, 'a')", false], ["contains('a1', 1)", true], ["contains(record, 'name')", true],
    ["contains('abc', null)", false],
    ["startsWith('hello', 'he')", true], ["startsWith('hello', 'lo')", false],
    ["startsWith(null, 'a')", false], ["startsWith('a', null)", false], ['startsWith(12, 1)', false]
  ])
})

t.test('now and date', async (t) => {
  t.ok(run('now()') instanceof Date)
  t.equal((run("date('2024-01-15')") as Date).toISOString(), '2024-01-15T00:00:00.000Z')
  t.equal((run('date(0)') as Date).getTime(), 0)
  t.equal(run('date(d1)'), scope.d1, 'a Date passes through')
  t.equal(run("date('not a date')"), null)
  t.equal(run("date('')"), null)
  t.equal(run('date(null)'), null)
  t.equal(run('date(true)'), null)
  t.equal(run("date('2024-01-15') == new Date('2024-01-15')"), true)
})

t.test('arity is checked at compile time', async (t) => {
  for (const source of ['len()', 'len(1, 2)', 'sum()', 'sum(1, "a", 2)', 'min()', 'abs()', 'round(1, 2, 3)',
    "contains('a')", "startsWith('a')", 'now(1)', 'date()', 'new Date(1, 2)']) {
    t.throws(() => compileExpression(source), ExpressionSyntaxError, source)
  }
})
