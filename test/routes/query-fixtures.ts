import type { Test } from 'tap'
import type { TestApp } from '../helper.js'

type Tap = Pick<Test, 'equal'>
export type Row = Record<string, unknown>

/**
 * customer 1—n invoice 1—n item n—1 product; invoices and customers carry an owner.
 * Members read only their own invoices and customers, every item, and no product at all.
 */
export async function querySchema (t: Tap, a: TestApp): Promise<void> {
  const defs = [
    { name: 'customer', table: 'customers', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true }, { name: 'status', type: 'string' }, { name: 'owner_id', type: 'uuid' }] },
    {
      name: 'invoice',
      table: 'invoices',
      soft_delete: true,
      fields: [
        { name: 'id', type: 'uuid' }, { name: 'number', type: 'string', required: true }, { name: 'status', type: 'string' },
        { name: 'total', type: 'decimal', precision: 10, scale: 2 }, { name: 'owner_id', type: 'uuid' }, { name: 'customer_id', type: 'uuid' },
        { name: 'note', type: 'text' }, { name: 'created_at', type: 'timestamp', auto: 'create' }, { name: 'updated_at', type: 'timestamp', auto: 'update' }
      ]
    },
    { name: 'item', table: 'items', fields: [{ name: 'id', type: 'uuid' }, { name: 'invoice_id', type: 'uuid' }, { name: 'product_id', type: 'uuid' }, { name: 'description', type: 'string' }, { name: 'quantity', type: 'int' }] },
    { name: 'product', table: 'products', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }, { name: 'secret_code', type: 'string' }] }
  ]
  for (const d of defs) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: d })).statusCode, 201, `entity ${d.name}`)
  for (const r of [
    { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', source_key: 'id', target_key: 'customer_id', inverse_name: 'customer' },
    { name: 'items', type: 'one_to_many', source: 'invoice', target: 'item', source_key: 'id', target_key: 'invoice_id', on_delete: 'cascade', inverse_name: 'invoice' },
    { name: 'product_items', type: 'one_to_many', source: 'product', target: 'item', source_key: 'id', target_key: 'product_id', inverse_name: 'product' }
  ]) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: r })).statusCode, 201, `relation ${r.name}`)
}

/** Creates a user through the admin API and logs them in. */
export async function userToken (a: TestApp, email: string, roles: string[]): Promise<{ id: string, token: string }> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return { id: created.json().data.id, token: login.json().data.access_token }
}

export async function policy (a: TestApp, p: Row): Promise<void> {
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: p })
  if (res.statusCode !== 201) throw new Error(res.body)
}

export async function make (a: TestApp, entity: string, payload: Row): Promise<Row> {
  const res = await a.as(a.admin, { method: 'POST', url: `/${entity}`, payload })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

export interface QueryWorld {
  member: { id: string, token: string }
  other: { id: string, token: string }
  /** Invoice numbers → ids. */
  invoices: Map<string, string>
  products: Map<string, string>
}

/**
 * Data: member owns customer "Acme" (active) with invoices A1 (paid, 150.00, items: 2× widget)
 * and A2 (draft, 20.00, items: 9× gadget); other owns customer "Bolt" (inactive) with B1
 * (paid, 500.00, items: 7× widget) and B2 (void, 5.00, no items); A3 (sent, 80.00, note
 * "urgent red widget delivery") belongs to member without a customer.
 */
export async function queryWorld (t: Tap, a: TestApp): Promise<QueryWorld> {
  await querySchema(t, a)
  const member = await userToken(a, 'member@example.com', ['member'])
  const other = await userToken(a, 'other@example.com', ['member'])
  const own = { field: 'owner_id', operator: 'eq', value: '$user.id' }
  await policy(a, { entity: 'invoice', action: 'read', roles: ['member'], conditions: [own] })
  await policy(a, { entity: 'customer', action: 'read', roles: ['member'], conditions: [own] })
  await policy(a, { entity: 'item', action: 'read', roles: ['member'], conditions: [] })
  for (const action of ['create', 'update', 'delete']) await policy(a, { entity: 'invoice', action, roles: ['member'], conditions: [own] })
  const products = new Map<string, string>()
  for (const name of ['widget', 'gadget']) products.set(name, (await make(a, 'product', { name, secret_code: `${name}-secret` })).id as string)
  const acme = await make(a, 'customer', { name: 'Acme', status: 'active', owner_id: member.id })
  const bolt = await make(a, 'customer', { name: 'Bolt', status: 'inactive', owner_id: other.id })
  const invoices = new Map<string, string>()
  const inv = async (number: string, status: string, total: string, owner: string, customer: Row | null, items: Array<[string, number]>, note?: string): Promise<void> => {
    const data = items.map(([p, quantity]) => ({ description: `${quantity} ${p}`, quantity, product_id: products.get(p) }))
    const row = await make(a, 'invoice', { number, status, total, owner_id: owner, customer_id: customer?.id ?? null, note: note ?? null, items: { data } })
    invoices.set(number, row.id as string)
  }
  await inv('A1', 'paid', '150.00', member.id, acme, [['widget', 2]])
  await inv('A2', 'draft', '20.00', member.id, acme, [['gadget', 9]])
  await inv('B1', 'paid', '500.00', other.id, bolt, [['widget', 7]])
  await inv('B2', 'void', '5.00', other.id, bolt, [])
  await inv('A3', 'sent', '80.00', member.id, null, [], 'urgent red widget delivery')
  return { member, other, invoices, products }
}

/** Invoice numbers of a list response, sorted. */
export function numbers (body: { data: Row[] }): string[] {
  return body.data.map((r) => r.number as string).sort()
}
