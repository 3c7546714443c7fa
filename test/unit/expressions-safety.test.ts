import t from 'tap'
import type { Test } from 'tap'
import {
  compileExpression, ExpressionBudgetError, ExpressionSyntaxError, validateExpression
} from '../../lib/expressions/index.js'

/** Asserts that `source` is refused at compile time, at `position` when given. */
function rejects (t: Test, source: string, position?: number, message?: RegExp): void {
  const name = source.length > 40 ? `${source.slice(0, 40)}… (${source.length} chars)` : source
  const result = validateExpression(source)
  t.equal(result.ok, false, `rejected: ${name}`)
  if (result.ok) return
  if (position !== undefined) t.equal(result.position, position, `position of: ${name}`)
  if (message !== undefined) t.match(result.message, message, `message of: ${name}`)
  t.throws(() => compileExpression(source), ExpressionSyntaxError, `throws: ${name}`)
}

t.test('prototype access is rejected at parse time', async (t) => {
  rejects(t, '__proto__', 0, /__proto__/)
  rejects(t, 'constructor', 0, /constructor/)
  rejects(t, 'prototype', 0, /prototype/)
  rejects(t, 'record.__proto__', 7, /__proto__/)
  rejects(t, 'record.constructor', 7, /constructor/)
  rejects(t, 'record.constructor.prototype', 7)
  rejects(t, 'x + record.prototype', 11, /prototype/)
  rejects(t, "record['constructor']", 7, /constructor/)
  rejects(t, 'record["__proto__"]', 7)
  rejects(t, "record['prototype'] == 1", 7)
  rejects(t, 'a ? record.__proto__ : 1', 11)
  rejects(t, "len(record['constructor'])", 11)
})

t.test('unsupported constructs are rejected', async (t) => {
  rejects(t, 'this', 0, /this/)
  rejects(t, 'this.x', 0)
  rejects(t, 'a = 1', 2)
  rejects(t, 'a += 1')
  rejects(t, 'a++')
  rejects(t, 'x => 1')
  rejects(t, '(x) => x')
  rejects(t, 'eval(1)', 0, /Unknown function "eval"/)
  rejects(t, "Function('x')", 0, /Unknown function "Function"/)
  rejects(t, '1 + require("fs")', 4)
  rejects(t, 'hasOwnProperty(1)', 0, /Unknown function/)
  rejects(t, 'toString()', 0, /Unknown function/)
  rejects(t, 'record?.constructor', 8, /constructor/)
  rejects(t, 'record.toString()', 0, /built-in functions/)
  rejects(t, 'user.roles.includes("admin")', 0)
  rejects(t, "record['toString']()")
  rejects(t, 'len(1)(2)', 0)
  rejects(t, '`x`', 0)
  rejects(t, '`${a}`', 0) // eslint-disable-line no-template-curly-in-string -- expression source text
  rejects(t, 'new Foo()', 0, /new Date/)
  rejects(t, 'new Date', 0)
  rejects(t, 'new record.x()', 0)
  rejects(t, 'Date(1)', 0, /Unknown function "Date"/)
  rejects(t, 'a; b', 3)
  rejects(t, 'a b', 2)
  rejects(t, '(a, b)', 0, /Comma/)
  rejects(t, '[1, , 2]', 0, /holes/)
  rejects(t, '1 & 2', 2)
  rejects(t, '1 | 2', 2)
  rejects(t, '1 ^ 2', 2)
  rejects(t, '1 << 2', 3)
  rejects(t, '1 >> 2', 3)
  rejects(t, '1 >>> 2', 3)
  rejects(t, '~1', 0)
  rejects(t, '2 ** 3', 3)
  rejects(t, 'a ?? b', 3)
  rejects(t, 'in', 0, /keyword/)
  rejects(t, '/x/.test(a)', 0)
  rejects(t, 'typeof a', 7)
  rejects(t, '', 0, /Empty/)
  rejects(t, '   ', 0)
  rejects(t, '1'.repeat(10_001), 10_000, /longer/)
})

t.test('syntax errors carry the position', async (t) => {
  rejects(t, 'record.', 7)
  rejects(t, '1 +', 3)
  rejects(t, '(1 + 2', 6, /Unclosed \(/)
  rejects(t, "'abc", 4, /Unclosed quote/)
  rejects(t, 'a ? b', 5, /Expected :/)
  rejects(t, 'record[1', 8, /Unclosed \[/)
  rejects(t, 'f(1,', 4)
  rejects(t, '1 + )', 4)
  rejects(t, '@', 0)
  const inner = "sum(items, 'qty *')"
  rejects(t, inner, 17, /Expected expression/)
  rejects(t, "sum(items, 'x.constructor')", 14, /constructor/)
  rejects(t, "sum(items, 'eval(1)')", 12, /eval/)
  rejects(t, 'sum(items, x)', 11, /string literal/)
})

t.test('deep nesting is refused, not a stack overflow', async (t) => {
  rejects(t, '('.repeat(4900) + '1' + ')'.repeat(4900), undefined, /nested too deeply/)
  rejects(t, '[['.repeat(2400) + ']]'.repeat(2400), undefined, /nested too deeply/)
  rejects(t, '!'.repeat(300) + 'a', undefined, /nested too deeply/)
  rejects(t, Array.from({ length: 300 }, (_, i) => `a${i}`).join(' + '), undefined, /nested too deeply/)
  t.equal(compileExpression('!'.repeat(150) + 'true').evaluate({}), true, 'moderate nesting is fine')
})

t.test('the step budget bounds evaluation', async (t) => {
  const list = Array.from({ length: 100_000 }, (_, i) => ({ quantity: i, unit_price: '1.5' }))
  const sum = compileExpression("sum(list, 'quantity * unit_price')")
  t.throws(() => sum.evaluate({ list }), ExpressionBudgetError, 'a huge list exhausts the default budget')
  t.equal(sum.evaluate({ list: list.slice(0, 10) }), 67.5, 'a small list fits')
  t.equal(sum.evaluate({ list }, { maxSteps: 1_000_000 }), 1.5 * 99_999 * 100_000 / 2, 'a larger budget can be granted')

  const chain = compileExpression(Array.from({ length: 100 }, () => 'a').join(' + '))
  t.equal(chain.evaluate({ a: 1 }), 100)
  t.throws(() => chain.evaluate({ a: 1 }, { maxSteps: 50 }), ExpressionBudgetError)
  t.equal(chain.evaluate({ a: 1 }, { maxSteps: 199 }), 100, 'exactly one step per node')
  t.throws(() => chain.evaluate({ a: 1 }, { maxSteps: 198 }), ExpressionBudgetError)

  const nested = compileExpression("sum(outer, 'sum(item, \\'item * 2\\')')")
  const outer = Array.from({ length: 200 }, () => Array.from({ length: 200 }, () => 1))
  t.throws(() => nested.evaluate({ outer }), ExpressionBudgetError, 'nested sums share one budget')
  try {
    nested.evaluate({ outer }, { maxSteps: 100 })
  } catch (err) {
    t.ok(err instanceof ExpressionBudgetError && err.maxSteps === 100, 'the error names the budget')
  }
  t.equal(nested.evaluate({ outer: [[1, 2], [3]] }), 12)
  t.throws(() => sum.evaluate({ list }, { maxSteps: NaN }), ExpressionBudgetError, 'a NaN budget means the default')
  // The counter is per evaluation: repeated runs do not accumulate.
  for (let i = 0; i < 3; i++) t.equal(chain.evaluate({ a: 1 }, { maxSteps: 199 }), 100)
})
