import t from 'tap'
import { loadExample } from '../fixtures/examples.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, unknown>
interface Example { entities: Array<Row & { name: string, fields: Row[] }>, relations: Row[], sample_data: Record<string, Row[]> }

const ex = loadExample<Example>('helpdesk-ticketing.json')
const tickets = ex.sample_data.ticket ?? []
const responses = ex.sample_data.response ?? []
let a: TestApp

/** The helpdesk example with `title`/`description` searchable, installed with its sample data. */
t.before(async () => {
  a = await createTestApp(await build(t), 'qx')
  for (const e of ex.entities) {
    const def = e.name === 'ticket' ? { ...e, search: { language: 'english' }, fields: e.fields.map((f) => (['title', 'description'].includes(f.name as string) ? { ...f, searchable: true } : f)) } : e
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: def })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  for (const r of ex.relations) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: r })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  for (const entity of ['customer', 'agent', 'ticket', 'response']) {
    const res = await a.as(a.admin, { method: 'POST', url: `/${entity}`, payload: ex.sample_data[entity] })
    if (res.statusCode !== 201) throw new Error(`${entity}: ${res.body.slice(0, 500)}`)
  }
})

async function ids (qs: string, entity = 'ticket'): Promise<string[]> {
  const res = await a.as(a.admin, { url: `/${entity}?${qs}&per_page=100` })
  if (res.statusCode !== 200) throw new Error(`${qs}: ${res.body}`)
  return (res.json().data as Row[]).map((r) => r.id as string).sort()
}

const expected = (pred: (row: Row) => boolean, rows = tickets): string[] => rows.filter(pred).map((r) => r.id as string).sort()

t.test('helpdesk example: bulk-created sample data, boolean groups, relation filters', async (t) => {
  t.equal((await ids('')).length, tickets.length, 'bulk create wrote every ticket')
  t.same(await ids('filter[or][0][status]=open&filter[or][1][priority]=critical'), expected((r) => r.status === 'open' || r.priority === 'critical'))
  t.same(await ids('filter[not][status.in]=resolved,open&filter[priority]=high'), expected((r) => !['resolved', 'open'].includes(r.status as string) && r.priority === 'high'))
  const acme = (ex.sample_data.customer ?? []).filter((c) => c.company === 'Acme Corp').map((c) => c.id)
  t.same(await ids('filter[ticket_customer.company]=Acme Corp'), expected((r) => acme.includes(r.customer_id)), 'to-one relation filter')
  const withAgentReply = new Set(responses.filter((r) => r.author_type === 'agent').map((r) => r.ticket_id))
  t.same(await ids('filter[ticket_responses.author_type]=agent'), expected((r) => withAgentReply.has(r.id)), 'to-many relation filter')
})

t.test('helpdesk example: fields, nested includes, cursors, count, search, aggregate, ETag', async (t) => {
  const shaped = await a.as(a.admin, { url: '/customer?fields=name&include=ticket_customer.ticket_responses&fields[ticket_customer]=title&fields[ticket_customer.ticket_responses]=author_type&per_page=100' })
  t.equal(shaped.statusCode, 200, shaped.body.slice(0, 300))
  const customers = shaped.json().data as Row[]
  t.same(Object.keys(customers[0] ?? {}).sort(), ['id', 'name', 'ticket_customer'])
  const nestedResponses = customers.flatMap((c) => (c.ticket_customer as Row[]).flatMap((tk) => tk.ticket_responses as Row[]))
  t.equal(nestedResponses.length, responses.filter((r) => tickets.some((tk) => tk.id === r.ticket_id && tk.customer_id !== undefined && tk.customer_id !== null)).length, 'responses through tickets')
  t.same(Object.keys(nestedResponses[0] ?? {}).sort(), ['author_type', 'id'])
  const seen: string[] = []
  let cursor: string | null = ''
  while (cursor !== null) {
    const page = await a.as(a.admin, { url: `/ticket?sort=priority,-created_at&per_page=2&count=none&cursor=${encodeURIComponent(cursor)}` })
    t.equal(page.statusCode, 200, page.body.slice(0, 200))
    seen.push(...(page.json().data as Row[]).map((r) => r.id as string))
    cursor = page.json().meta.next_cursor as string | null
  }
  t.same(seen.slice().sort(), expected(() => true), 'cursor pages cover every ticket once')
  t.same((await a.as(a.admin, { url: '/ticket?count=estimated' })).json().meta.total, tickets.length)
  const search = await a.as(a.admin, { url: '/ticket?search=password' })
  t.ok((search.json().data as Row[]).length >= 1, 'search finds the password ticket')
  t.same((search.json().data as Row[]).map((r) => r.id), expected((r) => /password/i.test(`${String(r.title)} ${String(r.description)}`)).filter((id) => (search.json().data as Row[]).some((r) => r.id === id)))
  const agg = await a.as(a.admin, { url: '/ticket/_aggregate?group_by=priority&count=*&sort=-count,priority' })
  const counts = new Map<string, number>()
  for (const r of tickets) counts.set(r.priority as string, (counts.get(r.priority as string) ?? 0) + 1)
  t.same(Object.fromEntries((agg.json().data as Row[]).map((g) => [g.priority, g.count])), Object.fromEntries(counts))
  const id = tickets[0]?.id as string
  const etag = (await a.as(a.admin, { url: `/ticket/${id}` })).headers.etag as string
  t.equal((await a.as(a.admin, { url: `/ticket/${id}`, headers: { 'if-none-match': etag } })).statusCode, 304)
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/ticket/${id}`, headers: { 'if-match': 'W/"0.x"' }, payload: { category: 'question' } }), 412, 'PRECONDITION_FAILED')
  const batch = await a.as(a.admin, { method: 'POST', url: '/_batch', payload: { operations: [{ method: 'PUT', entity: 'ticket', id, body: { category: 'billing' } }, { method: 'POST', entity: 'response', body: { ticket_id: id, author_type: 'agent', author_id: responses[0]?.author_id, body: 'via batch' } }] } })
  t.equal(batch.statusCode, 200, batch.body.slice(0, 300))
})
