/**
 * The benchmark dataset: an app created through the platform API, the schema of
 * `bench/schema.ts` through the admin API (so Rocket migrates the tables), then the rows in
 * bulk SQL (INSERT … SELECT generate_series) and ANALYZE.
 */
import postgres from 'postgres'
import { ENTITIES, NOTE_PROJECTS, NOTE_TOPICS, RELATIONS, ROWS } from './schema.js'

/** What the scenarios need to know about the seeded app. */
export interface Dataset {
  app: string
  /** Access token of the app's seeded admin (HS256, the app's own secret). */
  token: string
  /** URL of the app's database (bulk SQL, cleanup between rounds). */
  appDbUrl: string
  invoiceIds: string[]
  customerIds: string[]
  /** Rocket's `next_cursor` after invoice row 40,000 in primary key order (S7). */
  deepCursor: string
}

/** Row (1-based, primary key order) after which S7's keyset page starts; S7o pages to the same depth. */
export const DEEP_ROW = 40_000

const sqlWords = (list: readonly string[]): string => `ARRAY[${list.map((w) => `'${w}'`).join(',')}]`

/** JSON request against a server; throws on a non-2xx answer. */
export async function api (base: string, req: { method: string, path: string, token?: string, body?: unknown }): Promise<any> {
  const headers: Record<string, string> = {}
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`
  if (req.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + req.path, { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) })
  const text = await res.text()
  if (!res.ok) throw new Error(`${req.method} ${req.path}: ${res.status} ${text.slice(0, 300)}`)
  return text === '' ? null : JSON.parse(text)
}

/** Logs in a user and returns the access token. */
export async function login (base: string, path: string, email: string): Promise<string> {
  const res = await api(base, { method: 'POST', path, body: { email, password: 'changeme' } })
  return res.data.access_token as string
}

const CITIES = "ARRAY['Paris','Berlin','Madrid','Lisbon','Oslo']"

/** Bulk rows: deterministic values (setseed), FK values drawn from the parent tables. */
async function insertRows (sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx.unsafe('SELECT setseed(0.42)')
    await tx.unsafe(`INSERT INTO customers (id, name, email, city, created_at)
      SELECT gen_random_uuid(), 'Customer ' || g, 'c' || g || '@bench.test', (${CITIES})[1 + g % 5], now() - g * interval '1 minute'
      FROM generate_series(1, ${ROWS.customers}) g`)
    await tx.unsafe(`WITH c AS (SELECT id, row_number() OVER (ORDER BY email) AS rn FROM customers)
      INSERT INTO invoices (id, number, status, total, customer_id, issued_on, note, created_at, updated_at)
      SELECT gen_random_uuid(), 'INV-' || lpad(g::text, 6, '0'), (ARRAY['draft','sent','paid','void'])[1 + g % 4],
        round((random() * 10000)::numeric, 2), c.id, date '2024-01-01' + (g % 365),
        (${sqlWords(NOTE_TOPICS)})[1 + g % ${NOTE_TOPICS.length}] || ' for ' || (${sqlWords(NOTE_PROJECTS)})[1 + (g / ${NOTE_TOPICS.length}) % ${NOTE_PROJECTS.length}],
        now(), now()
      FROM generate_series(1, ${ROWS.invoices}) g JOIN c ON c.rn = 1 + g % ${ROWS.customers}`)
    await tx.unsafe(`INSERT INTO invoice_items (id, invoice_id, description, quantity, unit_price)
      SELECT gen_random_uuid(), i.id, 'Item ' || k, 1 + k % 5, round((random() * 500)::numeric, 2)
      FROM invoices i CROSS JOIN generate_series(1, ${ROWS.itemsPerInvoice}) k`)
    // S2 filters by status and sorts by total: the index a DBA would add for that list.
    await tx.unsafe('CREATE INDEX invoices_status_total_idx ON invoices (status, total) WHERE deleted_at IS NULL')
  })
  await sql.unsafe('VACUUM ANALYZE customers, invoices, invoice_items')
}

/**
 * Creates app `name` with the benchmark schema and rows on the Rocket server at `base`.
 * `serverUrl` is the PostgreSQL server URL (any database) the app database lives on.
 */
export async function createDataset (base: string, serverUrl: string, name: string): Promise<Dataset> {
  const platform = await login(base, '/api/_platform/auth/login', 'platform@localhost')
  await api(base, { method: 'POST', path: '/api/_platform/apps', token: platform, body: { name, display_name: 'Benchmark' } })
  const token = await login(base, `/api/${name}/auth/login`, 'admin@localhost')
  for (const e of ENTITIES) await api(base, { method: 'POST', path: `/api/${name}/_admin/entities`, token, body: e })
  for (const r of RELATIONS) await api(base, { method: 'POST', path: `/api/${name}/_admin/relations`, token, body: r })

  const url = new URL(serverUrl)
  url.pathname = `/rocket_${name}`
  const appDbUrl = url.toString()
  const sql = postgres(appDbUrl, { max: 1, onnotice: () => {} })
  try {
    await insertRows(sql)
    const invoiceIds = (await sql<Array<{ id: string }>>`SELECT id FROM invoices ORDER BY id`).map((r) => r.id)
    const customerIds = (await sql<Array<{ id: string }>>`SELECT id FROM customers ORDER BY id`).map((r) => r.id)
    // A cursor carries the entity, sort and last key, not the filters: the first keyset page
    // from row DEEP_ROW on (one row) yields the cursor after it.
    const deep = invoiceIds[DEEP_ROW - 1] as string
    const first = await api(base, { method: 'GET', path: `/api/${name}/invoice?paginate=cursor&per_page=1&count=none&filter[id.gte]=${deep}`, token })
    const deepCursor = first.meta.next_cursor as string
    return { app: name, token, appDbUrl, invoiceIds, customerIds, deepCursor }
  } finally {
    await sql.end()
  }
}

/**
 * Removes what write scenarios created (invoices numbered `B-…` and their items) and
 * re-analyzes, so every round's reads see the same tables.
 */
export async function resetWrites (appDbUrl: string): Promise<void> {
  // Requests cut off by the end of a run may still be committing: let them land first.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const sql = postgres(appDbUrl, { max: 1, onnotice: () => {} })
  try {
    await sql.begin(async (tx) => {
      // Locked first: a straggler adding items to one of them waits and then fails, never the reset.
      await tx.unsafe("SELECT id FROM invoices WHERE number LIKE 'B-%' FOR UPDATE")
      await tx.unsafe("DELETE FROM invoice_items WHERE invoice_id IN (SELECT id FROM invoices WHERE number LIKE 'B-%')")
      await tx.unsafe("DELETE FROM invoices WHERE number LIKE 'B-%'")
    })
    await sql.unsafe('VACUUM ANALYZE invoices, invoice_items')
  } finally {
    await sql.end()
  }
}
