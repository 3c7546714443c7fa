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

/**
 * Variables visible to a node. The evaluation's scope is the root frame; each item of
 * `sum(list, 'expr')` pushes a frame whose variables are the item's fields, plus `item`.
 */
interface Frame {
  readonly vars: ExpressionScope
  readonly item: unknown
  readonly parent: Frame | null
}

type Evaluator = (frame: Frame, budget: Budget) => unknown
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
    const max = options?.maxSteps
    // A NaN budget would never trip; `?? {}` keeps a careless `evaluate(null)` null-safe too.
    const budget = { steps: 0, max: max === undefined || Number.isNaN(max) ? DEFAULT_MAX_STEPS : max }
    return this.run({ vars: scope ?? {}, item: null, parent: null }, budget)
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
  return (_frame, budget) => {
    tick(budget)
    return value
  }
}

const MISSING = Symbol('missing')

/** Innermost binding of `name`: `item` in item frames, then own fields, then outer frames. */
function lookup (frame: Frame, name: string): unknown {
  for (let f: Frame | null = frame; f !== null; f = f.parent) {
    if (name === 'item' && f.parent !== null) return f.item ?? null
    if (Object.hasOwn(f.vars, name)) return f.vars[name] ?? null
  }
  return MISSING
}

/** Unknown variables are null; `now` falls back to the current time when not in scope. */
function compileIdentifier (name: string): Evaluator {
  if (name === 'now') {
    return (frame, budget) => {
      tick(budget)
      const value = lookup(frame, name)
      return value === MISSING ? new Date() : value
    }
  }
  return (frame, budget) => {
    tick(budget)
    // The root frame (no sum() around) is by far the common case: one own-property check.
    if (frame.parent === null) return Object.hasOwn(frame.vars, name) ? frame.vars[name] ?? null : null
    const value = lookup(frame, name)
    return value === MISSING ? null : value
  }
}

function compileMember (node: MemberExpression): Evaluator {
  const object = compileNode(node.object)
  if (!node.computed) {
    const name = (node.property as Identifier).name
    return (frame, budget) => {
      tick(budget)
      return readMember(object(frame, budget), name)
    }
  }
  const key = compileNode(node.property)
  return (frame, budget) => {
    tick(budget)
    return readMember(object(frame, budget), key(frame, budget))
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
    return (frame, budget) => {
      tick(budget)
      return fn(a(frame, budget))
    }
  }
  if (args.length === 2 && a !== undefined && b !== undefined) {
    return (frame, budget) => {
      tick(budget)
      return fn(a(frame, budget), b(frame, budget))
    }
  }
  return (frame, budget) => {
    tick(budget)
    return fn(...args.map((arg) => arg(frame, budget)))
  }
}

const NO_FIELDS: ExpressionScope = Object.freeze({})

/**
 * `sum(list, 'expr')`: the inner expression is compiled once (cached by source) and run per
 * item in a frame where the item's fields are variables, the item itself is `item`, and the
 * outer variables stay visible underneath. Its steps count against the caller's budget.
 */
function compileSum (list: Evaluator, innerSource: string): Evaluator {
  const inner = compileCached(innerSource).run
  return (frame, budget) => {
    tick(budget)
    return sumOf(list(frame, budget), (item) => {
      tick(budget)
      return inner({ vars: isRecord(item) ? item : NO_FIELDS, item, parent: frame }, budget)
    })
  }
}

function compileUnary (node: UnaryExpression): Evaluator {
  if (node.operator === 'new') return compileNewDate(node.argument as CallExpression)
  const argument = compileNode(node.argument)
  const op: (v: unknown) => unknown = node.operator === '!' ? (v) => !v : node.operator === '-' ? negate : plus
  return (frame, budget) => {
    tick(budget)
    return op(argument(frame, budget))
  }
}

/** `new Date(x)` is `date(x)` (null when invalid); `new Date()` is the current time. */
function compileNewDate (call: CallExpression): Evaluator {
  const [arg] = call.arguments
  if (arg === undefined) {
    return (_frame, budget) => {
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
    return (frame, budget) => {
      tick(budget)
      const value = left(frame, budget)
      return value ? right(frame, budget) : value
    }
  }
  if (node.operator === '||') {
    return (frame, budget) => {
      tick(budget)
      const value = left(frame, budget)
      return value || right(frame, budget)
    }
  }
  const op = BINARY.get(node.operator)
  if (op === undefined) throw new Error(`Unvalidated operator ${node.operator}`)
  return (frame, budget) => {
    tick(budget)
    return op(left(frame, budget), right(frame, budget))
  }
}

function compileConditional (node: ConditionalExpression): Evaluator {
  const test = compileNode(node.test)
  const consequent = compileNode(node.consequent)
  const alternate = compileNode(node.alternate)
  return (frame, budget) => {
    tick(budget)
    return test(frame, budget) ? consequent(frame, budget) : alternate(frame, budget)
  }
}

function compileArray (node: ArrayExpression): Evaluator {
  const elements = node.elements.map((element) => compileNode(element as Expression))
  return (frame, budget) => {
    tick(budget)
    return elements.map((element) => element(frame, budget))
  }
}
