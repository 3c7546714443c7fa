import t from 'tap'
import {
  compileExpression, ExpressionBudgetError, ExpressionSyntaxError
} from '../../lib/expressions/index.js'
import type { CompiledExpression, ExpressionScope } from '../../lib/expressions/index.js'

/** mulberry32: a seeded generator, so any failure is reproducible from the printed seed. */
function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

// EXPR_FUZZ_SEED=<n> replays or explores another sequence.
const SEED = Number(process.env.EXPR_FUZZ_SEED ?? 20240611)
const random = prng(SEED)
const int = (n: number): number => Math.floor(random() * n)
function pick<T> (items: readonly T[]): T {
  return items[int(items.length)] as T
}

const IDENTIFIERS = [
  'record', 'user', 'a', 'x', 'item', 'list', 'related', 'now', 'len', 'sum', 'min', 'max', 'abs',
  'round', 'lower', 'upper', 'contains', 'startsWith', 'date', 'new', 'Date', 'in', 'null', 'nil',
  'true', 'false', '__proto__', 'constructor', 'prototype', 'this', 'eval', 'toString', 'length'
]
const OPERATORS = [
  '+', '-', '*', '/', '%', '==', '!=', '===', '!==', '<', '<=', '>', '>=', '&&', '||', '!', '?', ':',
  '.', ',', '[', ']', '(', ')', '=', ';', '&', '|', '~', '`', '@', '#', '=>', '**', '?.', '??'
]
const LITERALS = ["'", '"', "'abc'", '"x"', "'a\\'b'", "'quantity * unit_price'", '0', '1', '2.5', '1e3', '.5', '10000', '1e400', '0x10']

function tokenSoup (): string {
  const count = 1 + int(14)
  let out = ''
  for (let i = 0; i < count; i++) {
    const kind = int(3)
    out += kind === 0 ? pick(IDENTIFIERS) : kind === 1 ? pick(OPERATORS) : pick(LITERALS)
    out += pick(['', ' ', ' ', '  '])
  }
  return out
}

/** Grammar-driven generator: mostly valid expressions, so evaluation is exercised too. */
function generated (depth: number): string {
  if (depth <= 0 || random() < 0.25) {
    return pick(['record.status', 'record.amount', 'record.items', 'user.roles', 'a', 'x.y.z', 'list',
      'related.items', "'paid'", '"12.50"', '3', '0', 'null', 'true', 'now', 'item', "record['k']", 'record[a]'])
  }
  const sub = (): string => generated(depth - 1)
  switch (int(9)) {
    case 0: return `${sub()} ${pick(['+', '-', '*', '/', '%', '==', '!==', '<', '>=', '&&', '||', 'in'])} ${sub()}`
    case 1: return `${pick(['!', '-', '+'])}${sub()}`
    case 2: return `(${sub()} ? ${sub()} : ${sub()})`
    case 3: return `[${sub()}, ${sub()}]`
    case 4: return `${pick(['len', 'abs', 'lower', 'upper', 'date', 'sum', 'min', 'max', 'round'])}(${sub()})`
    case 5: return `${pick(['contains', 'startsWith', 'round', 'min', 'max'])}(${sub()}, ${sub()})`
    case 6: return `sum(${sub()}, '${pick(['quantity * unit_price', 'item', 'item.x + 1', 'sum(item)'])}')`
    case 7: return `new Date(${sub()})`
    default: return `(${sub()}).${pick(['length', 'status', 'x', 'toString'])}`
  }
}

function randomValue (depth: number): unknown {
  switch (int(depth > 0 ? 12 : 9)) {
    case 0: return null
    case 1: return int(2000) - 1000
    case 2: return (random() * 100).toFixed(2)
    case 3: return pick(['paid', 'admin', '', 'abc', '2024-01-15', 'x'])
    case 4: return random() < 0.5
    case 5: return new Date(int(2e12))
    case 6: return pick([NaN, Infinity, -0, 1e308])
    case 7: return undefined
    case 8: return BigInt(int(1000))
    case 9: return Array.from({ length: int(5) }, () => randomValue(depth - 1))
    case 10: return randomRecord(depth - 1, {})
    default: return randomRecord(depth - 1, Object.create(null) as Record<string, unknown>)
  }
}

function randomRecord (depth: number, target: Record<string, unknown>): Record<string, unknown> {
  for (const key of ['status', 'amount', 'items', 'x', 'y', 'z', 'k', 'quantity', 'unit_price', 'roles']) {
    if (random() < 0.6) target[key] = randomValue(depth)
  }
  return target
}

function randomScope (): ExpressionScope {
  const scope = randomRecord(3, {})
  for (const key of ['record', 'user', 'a', 'list', 'related', 'item']) scope[key] = randomValue(3)
  return scope
}

interface Outcome { compiled: number, failures: string[] }

function exercise (sources: string[]): Outcome {
  const failures: string[] = []
  let compiled = 0
  for (const source of sources) {
    let expression: CompiledExpression
    try {
      expression = compileExpression(source)
      compiled++
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) failures.push(`compile ${JSON.stringify(source)}: ${String(err)}`)
      else if (!Number.isInteger(err.position) || err.position < 0) failures.push(`position ${JSON.stringify(source)}`)
      continue
    }
    for (let i = 0; i < 3; i++) {
      try {
        expression.evaluate(randomScope(), { maxSteps: pick([5, 100, 10_000]) })
      } catch (err) {
        if (!(err instanceof ExpressionBudgetError)) failures.push(`evaluate ${JSON.stringify(source)}: ${String(err)}`)
      }
    }
  }
  return { compiled, failures }
}

t.test(`token soup never escapes the error taxonomy (seed ${SEED})`, async (t) => {
  const { compiled, failures } = exercise(Array.from({ length: 2000 }, tokenSoup))
  t.same(failures, [], 'only ExpressionSyntaxError at compile, ExpressionBudgetError at run time')
  t.ok(compiled > 20, `some random strings compile (${compiled}/2000)`)
})

t.test(`generated expressions evaluate safely (seed ${SEED})`, async (t) => {
  const { compiled, failures } = exercise(Array.from({ length: 2000 }, () => generated(5)))
  t.same(failures, [], 'evaluation only ever throws ExpressionBudgetError')
  t.equal(compiled, 2000, 'every grammar-generated expression compiles')
})
