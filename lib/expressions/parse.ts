import jsep from 'jsep'
import type { BinaryExpression, CallExpression, ConditionalExpression, Expression, HookScope, MemberExpression } from 'jsep'
import { ExpressionSyntaxError } from './errors.js'

/** Longer sources are refused outright: an expression is a rule, not a program. */
export const MAX_SOURCE_LENGTH = 10_000

/**
 * jsep is configured once, globally, at module load (its operator tables are static). Rocket
 * has one expression language, so this module is the only place that parses with jsep.
 * Removed: bitwise, shift, exponent and nullish operators, `~`. Added: `in` with relational
 * precedence (as in JavaScript), `new` (only `new Date(...)` passes validation), `nil`.
 */
function configureJsep (): void {
  for (const op of ['|', '^', '&', '<<', '>>', '>>>', '**', '??']) jsep.removeBinaryOp(op)
  jsep.removeUnaryOp('~')
  jsep.addBinaryOp('in', 7)
  jsep.addUnaryOp('new')
  jsep.addLiteral('nil', null)
  jsep.hooks.add('gobble-token', recordTokenStart)
}

/**
 * jsep nodes carry no positions. This hook wraps every token parse: it notes where the token
 * starts, lets jsep parse it (the re-entrant call is let through by `wrapping`), and stores
 * the offset in `node.start`, so validation errors can point at the offending token.
 */
let wrapping = false
function recordTokenStart (this: HookScope, env: { node?: Expression }): void {
  if (wrapping) {
    wrapping = false
    return
  }
  this.gobbleSpaces()
  const start = this.index
  wrapping = true
  const node = this.gobbleToken()
  wrapping = false
  if (node) {
    if (typeof node.start !== 'number') node.start = start
    env.node = node
  }
}

configureJsep()

interface JsepError {
  index: number
  description: string
}

function isJsepError (err: unknown): err is JsepError {
  return err instanceof Error && typeof (err as Partial<JsepError>).index === 'number' &&
    typeof (err as Partial<JsepError>).description === 'string'
}

/**
 * Parses `source` into a jsep AST with `start` offsets on token nodes. Syntax only: the
 * whitelist of constructs is enforced by `parseExpression` in validate.ts.
 * @throws ExpressionSyntaxError with the character position of the problem
 */
export function parseSyntax (source: string): Expression {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionSyntaxError(`Expression is longer than ${MAX_SOURCE_LENGTH} characters`, MAX_SOURCE_LENGTH)
  }
  wrapping = false
  try {
    return jsep(source)
  } catch (err) {
    if (isJsepError(err)) throw new ExpressionSyntaxError(err.description, err.index)
    // Pathological nesting ("((((...") exhausts jsep's recursive descent.
    if (err instanceof RangeError) throw new ExpressionSyntaxError('Expression is nested too deeply', 0)
    throw err
  } finally {
    wrapping = false
  }
}

/**
 * Best known offset of a node: its own token start, else that of its leftmost part
 * (binary, member and call nodes are built around a token that has one), else `fallback`.
 */
export function positionOf (node: Expression, fallback: number): number {
  let current: Expression | undefined = node
  while (current !== undefined) {
    if (typeof current.start === 'number') return current.start
    current = leftmostChild(current)
  }
  return fallback
}

function leftmostChild (node: Expression): Expression | undefined {
  switch (node.type) {
    case 'BinaryExpression': return (node as BinaryExpression).left
    case 'MemberExpression': return (node as MemberExpression).object
    case 'CallExpression': return (node as CallExpression).callee
    case 'ConditionalExpression': return (node as ConditionalExpression).test
    default: return undefined
  }
}
