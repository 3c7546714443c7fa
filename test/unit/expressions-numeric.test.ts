// Issue 16 finding 3: number parsing in the expression engine is linear and bounded.
import t from 'tap'
import { compileExpression } from '../../lib/expressions/index.js'
import { MAX_NUMERIC_LENGTH, parseDecimal } from '../../lib/expressions/numeric.js'
import { add, toDate, toNumber } from '../../lib/expressions/operators.js'

// The regex parseDecimal replaces: it defines which short strings are numbers.
const OLD_NUMERIC_RE = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/

t.test('same numbers as the old regex on short strings', async (t) => {
  const samples = [
    '0', '12.50', ' -3 ', '+4', '1.', '.5', '-.5', '1e3', '1E-3', '2.5e+2', '\t7\n', '\u00a08\u2003',
    '', ' ', '.', '-', '+', 'e3', '1e', '1e+', '0x10', 'Infinity', '-Infinity', 'NaN', '1_000', '1,5',
    '١٢', '12abc', 'abc12', '1 2', '--1', '+-1', '1..2', '1.2.3', '.e1', '1e1.5', '٣'
  ]
  for (const s of samples) {
    const expected = OLD_NUMERIC_RE.test(s) ? Number(s) : null
    t.same(parseDecimal(s), expected, JSON.stringify(s))
  }
  // Every string over a small alphabet up to length 4: exhaustive agreement.
  const alphabet = ['1', '0', '.', 'e', '-', '+', ' ', 'x']
  let strings = ['']
  for (let len = 1; len <= 4; len++) {
    strings = strings.flatMap((s) => alphabet.map((c) => s + c))
    for (const s of strings) {
      const expected = OLD_NUMERIC_RE.test(s) ? Number(s) : null
      if (parseDecimal(s) !== expected && !(Number.isNaN(expected) && Number.isNaN(parseDecimal(s)))) t.fail(`disagrees on ${JSON.stringify(s)}`)
    }
  }
})

t.test('long strings are not numbers and cost linear time', async (t) => {
  t.equal(toNumber('1'.repeat(MAX_NUMERIC_LENGTH)), Infinity, 'at the cap: still converted (overflows like Number)')
  t.equal(toNumber('1'.repeat(MAX_NUMERIC_LENGTH + 1)), null, 'past the cap: text')
  t.equal(toDate('2026-01-01T00:00:00Z' + ' '.repeat(200)), null, 'an overlong date string is not a date')
  t.ok(toDate('2026-01-01T00:00:00Z') instanceof Date)
  const started = process.hrtime.bigint()
  // The shapes that made the regex quadratic: digit runs followed by a mismatch, whitespace runs.
  for (const s of ['1'.repeat(1 << 20) + ' x', ' '.repeat(1 << 20) + 'x', '1'.repeat(900) + 'x'.repeat(50)]) {
    t.equal(toNumber(s), null)
  }
  const rule = compileExpression('record.first_name + " " + record.last_name')
  const first = '1'.repeat(1 << 20)
  t.equal(rule.evaluate({ record: { first_name: first, last_name: 'Smith' } }), `${first} Smith`)
  t.equal(add('1'.repeat(999) + ' ', 'x'), '1'.repeat(999) + ' x')
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  t.ok(ms < 200, `all of it in ${ms.toFixed(1)} ms`)
})
