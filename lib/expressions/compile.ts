import type {
  ArrayExpression, BinaryExpression, CallExpression, Compound, ConditionalExpression, Expression,
  Identifier, Literal, MemberExpression, UnaryExpression
} from 'jsep'
import { ExpressionBudgetError } from './errors.js'
import { FUNCTIONS, sumOf } from './functions.js'
import {
  add, divide, equals, greaterOrEqual, greaterThan, isIn, isRecord, lessOrEqual, lessThan,
  multiply, negate, plus, readMember, remainder, subtract, toDate
} from './operators.js'
import type { CompiledExpression, EvaluateOptions, ExpressionScope } from './types.js'
import { parseExpression } from './validate.js'

/** Steps allowed per evaluation unless the caller says otherwise. */
export const DEFAULT_MAX_STEPS = 10_000
/** Distinct sources kept by `compileExpressionCached`; metadata rarely has more. */
export const CACHE_SIZE = 5000

/** Steps used so far in one evaluation; shared with `sum`'s inner expressions. */
interface Budget {
  steps: number
  readonly max: number
}

type Evaluator = (scope: ExpressionScope, budget: Budget) => unknown
type BinaryOp = (a: unknown, b: unknown) => unknown

/** Every node evaluation costs one step, so no expression can run unbounded. */
function tick (budget: Budget): void {
  if (++budget.steps > budget.max) throw new ExpressionBudgetError(budget.max)
}

const BINARY: ReadonlyMap<string, BinaryOp> = new Map<string, BinaryOp>([
  ['==', equals],
  ['===', equals],
  ['!=', (a, b) => !equals(a, b)],
  ['!==', (a, b) => !equals(a, b)],
  ['<', lessThan],
  ['<=', lessOrEqual],
  ['>', greaterThan],
  ['>=', greaterOrEqual],
  ['+', add],
  ['-', subtract],
  ['*', multiply],
  ['/', divide],
  ['%', remainder],
  ['in', isIn]
])

class Compiled implements CompiledExpression {
  readonly source: string
  /** The closure tree; `sum` calls it directly to share the caller's budget. */
  readonly run: Evaluator

  constructor (source: string, run: Evaluator) {
    this.source = source
    this.run = run
  }

  evaluate (scope: ExpressionScope, options?: EvaluateOptions): unknown {
    return this.run(scope, { steps: 0, max: options?.maxSteps ?? DEFAULT_MAX_STEPS })
  }
}

/**
 * Parses, validates and compiles `source` into a tree of closures (no eval, no Function).
 * Compile once when metadata loads; `evaluate` is then cheap and never throws except
 * `ExpressionBudgetError`.
 * @throws ExpressionSyntaxError when the source is invalid
 */
export function compileExpression (source: string): CompiledExpression {
  return compileInternal(source)
}

function compileInternal (source: string): Compiled {
  return new Compiled(source, compileNode(parseExpression(source)))
}

const cache = new Map<string, Compiled>()

/**
 * `compileExpression` memoized by source text, so that identical expressions across rules
 * (and `sum`'s inner expressions) compile once. Bounded: the oldest entry is evicted.
 * @throws ExpressionSyntaxError when the source is invalid (failures are not cached)
 */
export function compileExpressionCached (source: string): CompiledExpression {
  return compileCached(source)
}

function compileCached (source: string): Compiled {
  const hit = cache.get(source)
  if (hit !== undefined) return hit
  const compiled = compileInternal(source)
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next()
    if (oldest.done !== true) cache.delete(oldest.value)
  }
  cache.set(source, compiled)
  return compiled
}

/** Evaluates a compiled expression as a condition (JavaScript truthiness). */
export function evaluateBoolean (compiled: CompiledExpression, scope: ExpressionScope, options?: EvaluateOptions): boolean {
  return Boolean(compiled.evaluate(scope, options))
}

/** The node was validated by parseExpression, so every type and operator here is known. */
function compileNode (node: Expression): Evaluator {
  switch (node.type) {
    case 'Literal': return compileLiteral(node as Literal)
    case 'Identifier': return compileIdentifier((node as Identifier).name)
    case 'MemberExpression': return compileMember(node as MemberExpression)
    case 'CallExpression': return compileCall(node as CallExpression)
    case 'UnaryExpression': return compileUnary(node as UnaryExpression)
    case 'BinaryExpression': return compileBinary(node as BinaryExpression)
    case 'ConditionalExpression': return compileConditional(node as ConditionalExpression)
    case 'ArrayExpression': return compileArray(node as ArrayExpression)
    case 'Compound': return compileNode((node as Compound).body[0] as Expression)
    default: throw new Error(`Unvalidated expression node ${node.type}`)
  }
}

function compileLiteral (node: Literal): Evaluator {
  const value = node.value
  return (_scope, budget) => {
    tick(budget)
    return value
  }
}

/** Unknown variables are null; `now` falls back to the current time when not in scope. */
function compileIdentifier (name: string): Evaluator {
  if (name === 'now') {
    return (scope, budget) => {
      tick(budget)
      return Object.hasOwn(scope, name) ? scope[name] ?? null : new Date()
    }
  }
  return (scope, budget) => {
    tick(budget)
    return Object.hasOwn(scope, name) ? scope[name] ?? null : null
  }
}

function compileMember (node: MemberExpression): Evaluator {
  const object = compileNode(node.object)
  if (!node.computed) {
    const name = (node.property as Identifier).name
    return (scope, budget) => {
      tick(budget)
      return readMember(object(scope, budget), name)
    }
  }
  const key = compileNode(node.property)
  return (scope, budget) => {
    tick(budget)
    return readMember(object(scope, budget), key(scope, budget))
  }
}

function compileCall (node: CallExpression): Evaluator {
  const name = (node.callee as Identifier).name
  const [list, inner] = node.arguments
  if (name === 'sum' && list !== undefined && inner !== undefined) {
    return compileSum(compileNode(list), (inner as Literal).value as string)
  }
  const fn = FUNCTIONS.get(name)
  if (fn === undefined) throw new Error(`Unvalidated function ${name}`)
  return compileApply(fn.call, node.arguments.map(compileNode))
}

/** Calls with one or two arguments (the usual case) avoid building an argument array. */
function compileApply (fn: (...args: unknown[]) => unknown, args: Evaluator[]): Evaluator {
  const [a, b] = args
  if (args.length === 1 && a !== undefined) {
    return (scope, budget) => {
      tick(budget)
      return fn(a(scope, budget))
    }
  }
  if (args.length === 2 && a !== undefined && b !== undefined) {
    return (scope, budget) => {
      tick(budget)
      return fn(a(scope, budget), b(scope, budget))
    }
  }
  return (scope, budget) => {
    tick(budget)
    return fn(...args.map((arg) => arg(scope, budget)))
  }
}

/**
 * `sum(list, 'expr')`: the inner expression is compiled once (cached by source) and run per
 * item in a scope where the item's fields are variables, the item itself is `item`, and the
 * outer variables stay visible underneath. Its steps count against the caller's budget.
 */
function compileSum (list: Evaluator, innerSource: string): Evaluator {
  const inner = compileCached(innerSource).run
  return (scope, budget) => {
    tick(budget)
    return sumOf(list(scope, budget), (item) => {
      tick(budget)
      const itemScope = isRecord(item) ? { ...scope, ...item, item } : { ...scope, item }
      return inner(itemScope, budget)
    })
  }
}

function compileUnary (node: UnaryExpression): Evaluator {
  if (node.operator === 'new') return compileNewDate(node.argument as CallExpression)
  const argument = compileNode(node.argument)
  const op: (v: unknown) => unknown = node.operator === '!' ? (v) => !v : node.operator === '-' ? negate : plus
  return (scope, budget) => {
    tick(budget)
    return op(argument(scope, budget))
  }
}

/** `new Date(x)` is `date(x)` (null when invalid); `new Date()` is the current time. */
function compileNewDate (call: CallExpression): Evaluator {
  const [arg] = call.arguments
  if (arg === undefined) {
    return (_scope, budget) => {
      tick(budget)
      return new Date()
    }
  }
  return compileApply(toDate, [compileNode(arg)])
}

function compileBinary (node: BinaryExpression): Evaluator {
  const left = compileNode(node.left)
  const right = compileNode(node.right)
  // && and || short-circuit and yield an operand, as in JavaScript.
  if (node.operator === '&&') {
    return (scope, budget) => {
      tick(budget)
      const value = left(scope, budget)
      return value ? right(scope, budget) : value
    }
  }
  if (node.operator === '||') {
    return (scope, budget) => {
      tick(budget)
      const value = left(scope, budget)
      return value ? value : right(scope, budget)
    }
  }
  const op = BINARY.get(node.operator)
  if (op === undefined) throw new Error(`Unvalidated operator ${node.operator}`)
  return (scope, budget) => {
    tick(budget)
    return op(left(scope, budget), right(scope, budget))
  }
}

function compileConditional (node: ConditionalExpression): Evaluator {
  const test = compileNode(node.test)
  const consequent = compileNode(node.consequent)
  const alternate = compileNode(node.alternate)
  return (scope, budget) => {
    tick(budget)
    return test(scope, budget) ? consequent(scope, budget) : alternate(scope, budget)
  }
}

function compileArray (node: ArrayExpression): Evaluator {
  const elements = node.elements.map((element) => compileNode(element as Expression))
  return (scope, budget) => {
    tick(budget)
    return elements.map((element) => element(scope, budget))
  }
}
