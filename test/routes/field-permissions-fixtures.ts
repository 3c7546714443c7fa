import type { Test } from 'tap'
import type { TestApp } from '../helper.js'

type Tap = Pick<Test, 'equal'>
export type Row = Record<string, any>

/**
 * customer 1—n employee 1—n review. `bio` and `name` of employee are searchable, `salary` and
 * `ssn` are what field permissions hide in these tests.
 */
export async function schema (t: Tap, a: TestApp): Promise<void> {
  const defs = [
    { name: 'customer', table: 'customers', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }, { name: 'tier', type: 'string' }, { name: 'credit', type: 'int' }] },
    {
      name: 'employee',
      table: 'employees',
      fields: [
        { name: 'id', type: 'uuid' }, { name: 'name', type: 'string', searchable: true }, { name: 'dept', type: 'string' },
        { name: 'salary', type: 'int' }, { name: 'ssn', type: 'string' }, { name: 'bio', type: 'text', searchable: true },
        { name: 'status', type: 'string', default: 'new' }, { name: 'owner_id', type: 'uuid' }, { name: 'customer_id', type: 'uuid' }
      ]
    },
    { name: 'review', table: 'reviews', fields: [{ name: 'id', type: 'uuid' }, { name: 'employee_id', type: 'uuid' }, { name: 'score', type: 'int' }, { name: 'comment', type: 'string' }] }
  ]
  for (const d of defs) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: d })).statusCode, 201)
  for (const r of [
    { name: 'employees', type: 'one_to_many', source: 'customer', target: 'employee', source_key: 'id', target_key: 'customer_id', inverse_name: 'customer' },
    { name: 'reviews', type: 'one_to_many', source: 'employee', target: 'review', source_key: 'id', target_key: 'employee_id', inverse_name: 'employee' }
  ]) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: r })).statusCode, 201)
}

export async function userToken (a: TestApp, email: string, roles: string[]): Promise<{ id: string, token: string }> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return { id: created.json().data.id, token: login.json().data.access_token }
}

export async function policy (a: TestApp, p: Row): Promise<string> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: p })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data.id
}

export async function make (a: TestApp, entity: string, payload: Row): Promise<Row> {
  const res = await a.as(a.admin, { method: 'POST', url: `/${entity}`, payload })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

/** Sorted keys of a record, for "exactly these fields" assertions. */
export function keys (row: Row | null | undefined): string[] {
  return Object.keys(row ?? {}).sort()
}

/** The `details` of a 403 as `[field, rule]` pairs. */
export function hiddenOf (res: { json: () => any }): Array<[string, string]> {
  return (res.json().error?.details ?? []).map((d: Row) => [d.field, d.rule])
}
