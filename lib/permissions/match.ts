import type { SqlFilter } from '../query/index.js'

/** Tests one record (a row loaded from the database, or a validated payload) in JavaScript. */
export type RowTest = (row: Readonly<Record<string, unknown>>) => boolean

/**
 * A JavaScript test equivalent to the SQL `renderCondition` renders for `filter`, with SQL's
 * NULL semantics: a missing or null value satisfies only `is_null: true`. Used where a row
 * is checked in memory (write permissions against the current row or the incoming record).
 */
export function rowTestOf (filter: SqlFilter): RowTest {
  const name = filter.field.name
  // Per field type, agreeing with PostgreSQL on the values the API stores (lib/fields: `compare`).
  const cmp = filter.field.spec.compare
  const expected = filter.value
  const is = (v: unknown, want: (c: number) => boolean): boolean => {
    if (v === null || v === undefined) return false
    const c = cmp(v, expected)
    return c !== null && want(c)
  }
  switch (filter.op) {
    case 'is_null': return (row) => (row[name] === null || row[name] === undefined) === (expected === true)
    case 'eq': return (row) => is(row[name], (c) => c === 0)
    case 'neq': return (row) => is(row[name], (c) => c !== 0)
    case 'gt': return (row) => is(row[name], (c) => c > 0)
    case 'gte': return (row) => is(row[name], (c) => c >= 0)
    case 'lt': return (row) => is(row[name], (c) => c < 0)
    case 'lte': return (row) => is(row[name], (c) => c <= 0)
    case 'in':
    case 'not_in': {
      const list = Array.isArray(expected) ? expected : [expected]
      const member = (v: unknown): boolean => list.some((e) => cmp(v, e) === 0)
      return filter.op === 'in'
        ? (row) => row[name] !== null && row[name] !== undefined && member(row[name])
        : (row) => row[name] !== null && row[name] !== undefined && !member(row[name])
    }
    default:
      // like/ilike are not permission operators; refuse rather than guess.
      return () => false
  }
}
