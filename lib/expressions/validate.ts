import type {
  ArrayExpression, BinaryExpression, CallExpression, Compound, ConditionalExpression, Expression,
  Identifier, Literal, MemberExpression, UnaryExpression
} from 'jsep'
import { ExpressionSyntaxError } from './errors.js'
import { FUNCTIONS } from './functions.js'
import { parseSyntax, positionOf } from './parse.js'
import type { ValidationResult } from './types.js'

/** Names that would reach JavaScript internals; refused anywhere they appear. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** Operators the language defines (jsep marks `&&`/`||` as binary too). */
export const BINARY_OPERATORS: ReadonlySet<string> = new Set([
  '==', '!=', '===', '!==', '<', '<=', '>', '>=', '&&', '||', '+', '-', '*', '/', '%', 'in'
])
const UNARY_OPERATORS: ReadonlySet<string> = new Set(['!', '-', '+'])
const KEYWORDS: ReadonlySet<string> = new Set(['in', 'new'])

/** Bounds recursion in validation, compilation and evaluation alike. */
export const MAX_DEPTH = 200

interface Walk {
  readonly source: string
  /** Offset of `sum`'s inner expression inside the outermost source. */
  readonly offset: number
  readonly depth: number
  /** Position of the nearest enclosing node that has one. */
  readonly at: number
}

/**
 * Parses and validates an expression: only literals, variables, member access, the language's
 * operators, ternaries, array literals, the built-in functions and `new Date(...)` pass.
 * Inner expressions of `sum(list, 'expr')` are validated too.
 * @throws ExpressionSyntaxError naming the construct and its position
 */
export function parseExpression (source: string): Expression {
  if (typeof source !== 'string') throw new ExpressionSyntaxError('Expression must be a string', 0)
  return parseAt({ source, offset: 0, depth: 0, at: 0 })
}

/**
 * Checks an expression without compiling it, for the admin API (422 with the position).
 */
export function validateExpression (source: string): ValidationResult {
  try {
    parseExpression(source)
    return { ok: true }
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return { ok: false, message: err.message, position: err.position }
    throw err
  }
}

function parseAt (walk: Walk): Expression {
  let ast: Expression
  try {
    ast = parseSyntax(walk.source)
  } catch (err) {
    if (err instanceof ExpressionSyntaxError && walk.offset > 0) {
      throw new ExpressionSyntaxError(err.message, walk.offset + err.position)
    }
    throw err
  }
  if (ast.type === 'Compound') checkCompound(ast as Compound, walk)
  else check(ast, walk)
  return ast
}

function fail (message: string, node: Expression, walk: Walk): never {
  throw new ExpressionSyntaxError(message, walk.offset + positionOf(node, walk.at))
}

/** jsep returns a Compound for "", "a b" or "a; b": only one expression is allowed. */
function checkCompound (node: Compound, walk: Walk): void {
  const [first, second] = node.body
  if (first === undefined) throw new ExpressionSyntaxError('Empty expression', walk.offset)
  if (second !== undefined) fail('Unexpected expression: only one expression is allowed', second, walk)
  check(first, walk)
}

function check (node: Expression, parent: Walk): void {
  const walk: Walk = { ...parent, depth: parent.depth + 1, at: positionOf(node, parent.at) }
  if (walk.depth > MAX_DEPTH) fail('Expression is nested too deeply', node, walk)
  switch (node.type) {
    case 'Literal': return checkLiteral(node as Literal, walk)
    case 'Identifier': return checkIdentifier(node as Identifier, walk)
    case 'MemberExpression': return checkMember(node as MemberExpression, walk)
    case 'CallExpression': return checkCall(node as CallExpression, walk)
    case 'UnaryExpression': return checkUnary(node as UnaryExpression, walk)
    case 'BinaryExpression': return checkBinary(node as BinaryExpression, walk)
    case 'ConditionalExpression': return checkConditional(node as ConditionalExpression, walk)
    case 'ArrayExpression': return checkArray(node as ArrayExpression, walk)
    case 'ThisExpression': return fail('"this" is not allowed', node, walk)
    case 'SequenceExpression': return fail('Comma expressions are not allowed', node, walk)
    default: return fail(`Unsupported syntax (${node.type})`, node, walk)
  }
}

function checkLiteral (node: Literal, walk: Walk): void {
  const v = node.value
  if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    fail('Unsupported literal', node, walk)
  }
}

function checkIdentifier (node: Identifier, walk: Walk): void {
  if (FORBIDDEN_NAMES.has(node.name)) fail(`"${node.name}" is not allowed`, node, walk)
  if (KEYWORDS.has(node.name)) fail(`Unexpected keyword "${node.name}"`, node, walk)
}

function checkMember (node: MemberExpression, walk: Walk): void {
  check(node.object, walk)
  const property = node.property
  if (!node.computed) {
    if (property.type !== 'Identifier') fail('Invalid member name', node, walk)
    const name = (property as Identifier).name
    if (FORBIDDEN_NAMES.has(name)) {
      throw new ExpressionSyntaxError(`Member "${name}" is not allowed`, walk.offset + namePosition(node, name, walk))
    }
    return
  }
  if (property.type === 'Literal' && FORBIDDEN_NAMES.has(String((property as Literal).value))) {
    fail(`Member "${String((property as Literal).value)}" is not allowed`, property, walk)
  }
  check(property, walk)
}

/** Dotted member names have no token of their own: locate the name after its object. */
function namePosition (node: MemberExpression, name: string, walk: Walk): number {
  const from = positionOf(node, walk.at)
  const found = walk.source.indexOf(name, from)
  return found >= 0 ? found : from
}

function checkCall (node: CallExpression, walk: Walk): void {
  if (node.callee.type !== 'Identifier') {
    fail('Only the built-in functions can be called', node, walk)
  }
  const name = (node.callee as Identifier).name
  const fn = FUNCTIONS.get(name)
  if (fn === undefined) fail(`Unknown function "${name}"`, node, walk)
  const count = node.arguments.length
  if (count < fn.minArgs || count > fn.maxArgs) {
    const expected = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`
    fail(`${name}() takes ${expected} argument(s), got ${count}`, node, walk)
  }
  for (const arg of node.arguments) check(arg, walk)
  const inner = node.arguments[1]
  if (name === 'sum' && inner !== undefined) checkSumExpression(inner, walk)
}

/** `sum(list, 'expr')`: the expression must be a string literal, validated like any other. */
function checkSumExpression (arg: Expression, walk: Walk): void {
  if (arg.type !== 'Literal' || typeof (arg as Literal).value !== 'string') {
    fail('The second argument of sum() must be an expression in a string literal', arg, walk)
  }
  // +1 skips the opening quote; exact unless the literal contains escapes.
  const offset = walk.offset + positionOf(arg, walk.at) + 1
  parseAt({ source: (arg as Literal).value as string, offset, depth: walk.depth, at: 0 })
}

function checkUnary (node: UnaryExpression, walk: Walk): void {
  if (node.operator === 'new') return checkNewDate(node, walk)
  if (!UNARY_OPERATORS.has(node.operator)) fail(`Operator "${node.operator}" is not supported`, node, walk)
  check(node.argument, walk)
}

function checkNewDate (node: UnaryExpression, walk: Walk): void {
  const call = node.argument
  const isDate = call.type === 'CallExpression' &&
    (call as CallExpression).callee.type === 'Identifier' &&
    ((call as CallExpression).callee as Identifier).name === 'Date'
  if (!isDate) fail('"new" is only allowed as new Date(...)', node, walk)
  const args = (call as CallExpression).arguments
  if (args.length > 1) fail('new Date() takes 0 or 1 argument', node, walk)
  for (const arg of args) check(arg, walk)
}

function checkBinary (node: BinaryExpression, walk: Walk): void {
  if (!BINARY_OPERATORS.has(node.operator)) fail(`Operator "${node.operator}" is not supported`, node, walk)
  check(node.left, walk)
  check(node.right, walk)
}

function checkConditional (node: ConditionalExpression, walk: Walk): void {
  check(node.test, walk)
  check(node.consequent, walk)
  check(node.alternate, walk)
}

function checkArray (node: ArrayExpression, walk: Walk): void {
  for (const element of node.elements) {
    if (element === null) fail('Array holes are not allowed', node, walk)
    check(element, walk)
  }
}
