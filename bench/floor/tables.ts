/**
 * Hand-written SQL and response schemas of the floor server for the three benchmark tables.
 * Every statement text is fixed (prepared once per connection by postgres.js); values are
 * always parameters. Output schemas mirror Rocket's (nullable columns, decimals as strings).
 */

type Kind = 'uuid' | 'text' | 'int' | 'decimal' | 'date' | 'timestamp'

/** One table the floor serves, with its prebuilt SQL. */
export interface Table {
  name: string
  columns: ReadonlyArray<readonly [string, Kind]>
  softDelete: boolean
  select: string
  byId: string
  live: string
  /** Record schema for fast-json-stringify (through Fastify's response schemas). */
  record: Record<string, unknown>
}

const KIND_SCHEMA: Record<Kind, Record<string, unknown>> = {
  uuid: { type: ['string', 'null'] },
  text: { type: ['string', 'null'] },
  int: { type: ['integer', 'null'] },
  decimal: { type: ['string', 'null'] },
  date: { type: ['string', 'null'], format: 'date' },
  timestamp: { type: ['string', 'null'], format: 'date-time' }
}

function table (name: string, softDelete: boolean, columns: ReadonlyArray<readonly [string, Kind]>): Table {
  const all = softDelete ? [...columns, ['deleted_at', 'timestamp'] as const] : columns
  const select = all.map(([c]) => `"${c}"`).join(', ')
  const live = softDelete ? ' AND "deleted_at" IS NULL' : ''
  return {
    name,
    columns: all,
    softDelete,
    select,
    live,
    byId: `SELECT ${select} FROM "${name}" WHERE "id" = $1${live} LIMIT 1`,
    record: { type: 'object', properties: Object.fromEntries(all.map(([c, k]) => [c, KIND_SCHEMA[k]])) }
  }
}

/** `customer` rows. */
export const customers = table('customers', false, [
  ['id', 'uuid'], ['name', 'text'], ['email', 'text'], ['city', 'text'], ['created_at', 'timestamp']
])

/** `invoice` rows (soft delete: `deleted_at` is a column and live rows have it null). */
export const invoices = table('invoices', true, [
  ['id', 'uuid'], ['number', 'text'], ['status', 'text'], ['total', 'decimal'], ['customer_id', 'uuid'],
  ['issued_on', 'date'], ['note', 'text'], ['created_at', 'timestamp'], ['updated_at', 'timestamp']
])

/** `invoice_item` rows. */
export const items = table('invoice_items', false, [
  ['id', 'uuid'], ['invoice_id', 'uuid'], ['description', 'text'], ['quantity', 'int'], ['unit_price', 'decimal']
])

/** URL entity name → table; `items` is the invoice's has-many edge. */
export const ENTITY_TABLES: ReadonlyMap<string, Table> = new Map([
  ['customer', customers], ['invoice', invoices], ['invoice_item', items]
])

/** Invoice record schema with its optional included items. */
export const invoiceWithItems = {
  type: 'object',
  properties: { ...(invoices.record.properties as object), items: { type: 'array', items: items.record } }
}

const INSERT_INVOICE_ROW = `INSERT INTO invoices (number, status, total, customer_id, issued_on, created_at, updated_at)
  VALUES ($1, $2, $3::numeric, $4::uuid, $5::date, now(), now()) RETURNING ${invoices.select}`

/** S10: many invoices in one statement (arrays unnested, in request order), RETURNING the rows. */
const INSERT_INVOICE_ROWS = `INSERT INTO invoices (number, status, total, customer_id, issued_on, created_at, updated_at)
  SELECT n, s, t, c, d, now(), now() FROM unnest($1::text[], $2::text[], $3::numeric[], $4::uuid[], $5::date[]) WITH ORDINALITY AS u(n, s, t, c, d, o)
  ORDER BY o RETURNING ${invoices.select}`

/** All items of one invoice in one statement (arrays unnested), RETURNING the rows. */
const INSERT_ITEM_ROWS = `INSERT INTO invoice_items (invoice_id, description, quantity, unit_price)
  SELECT $1::uuid, d, q, p FROM unnest($2::text[], $3::int[], $4::numeric[]) AS u(d, q, p) RETURNING ${items.select}`

/**
 * The floor without audit (the bar of issue 10, like the independent harness's server): the
 * invoice and all its items in ONE statement, no BEGIN/COMMIT. `$1…$5` the invoice, `$6…$8` the
 * items' columns as arrays; the items come back as JSON (decimals as text, as Rocket shows them).
 */
export const INSERT_NESTED_ONE_STATEMENT = `WITH inv AS (${INSERT_INVOICE_ROW}),
  its AS (INSERT INTO invoice_items (invoice_id, description, quantity, unit_price)
    SELECT inv.id, d, q, p FROM inv, unnest($6::text[], $7::int[], $8::numeric[]) AS u(d, q, p) RETURNING ${items.select})
  SELECT inv.*, (SELECT json_agg(json_build_object('id', id, 'invoice_id', invoice_id, 'description', description, 'quantity', quantity,
    'unit_price', unit_price::text)) FROM its) AS items FROM inv`

interface AuditOptions { entity: string, action: string, changes: string, userParam: number, prelude?: string }

/** `write` as CTE `src`, plus the `_audit_log` rows (docs/reference.md, "UI configs, audit log, events") of its rows, in one statement. */
function audited (write: string, o: AuditOptions): string {
  return `WITH ${o.prelude ?? ''}src AS (${write}), audit AS (INSERT INTO _audit_log (entity, record_id, action, changes, user_id, at)
    SELECT '${o.entity}', src.id::text, '${o.action}', ${o.changes}, $${o.userParam}::uuid, clock_timestamp() FROM src)
  SELECT * FROM src`
}

/**
 * The floor's write statements. With `audit` (the default) each also writes the audit row that
 * every write must leave (docs/reference.md, "UI configs, audit log, events"), in the same statement: one round trip, the cheapest way a
 * hand-written server can honour it. The last parameter is then the user id.
 */
export function writeStatements (audit: boolean): { insertInvoice: string, insertInvoices: string, insertItems: string, updateStatus: string } {
  const old = 'old AS (SELECT id, status, updated_at FROM invoices WHERE id = $2::uuid AND deleted_at IS NULL FOR UPDATE), '
  const update = `UPDATE invoices t SET status = $1, updated_at = now() FROM old WHERE t.id = old.id
    RETURNING ${invoices.columns.map(([c]) => `t."${c}"`).join(', ')}, old.status AS old_status, old.updated_at AS old_updated_at`
  const changes = `jsonb_build_object('updated_at', jsonb_build_object('old', src.old_updated_at, 'new', src.updated_at)) ||
    CASE WHEN src.old_status IS DISTINCT FROM src.status THEN jsonb_build_object('status', jsonb_build_object('old', src.old_status, 'new', src.status)) ELSE '{}' END`
  if (!audit) return { insertInvoice: INSERT_INVOICE_ROW, insertInvoices: INSERT_INVOICE_ROWS, insertItems: INSERT_ITEM_ROWS, updateStatus: `WITH ${old}src AS (${update}) SELECT * FROM src` }
  return {
    insertInvoice: audited(INSERT_INVOICE_ROW, { entity: 'invoice', action: 'create', changes: 'to_jsonb(src)', userParam: 6 }),
    insertInvoices: audited(INSERT_INVOICE_ROWS, { entity: 'invoice', action: 'create', changes: 'to_jsonb(src)', userParam: 6 }),
    insertItems: audited(INSERT_ITEM_ROWS, { entity: 'invoice_item', action: 'create', changes: 'to_jsonb(src)', userParam: 5 }),
    updateStatus: audited(update, { entity: 'invoice', action: 'update', changes, userParam: 3, prelude: old })
  }
}

/** Items of many invoices in one query (`= ANY($1)`), in id order like Rocket's includes. */
export const ITEMS_OF = `SELECT ${items.select} FROM invoice_items WHERE invoice_id = ANY($1::uuid[]) ORDER BY id`

/**
 * Page plus total in one statement (the lateral join still yields the total when the page is
 * empty). `sortSql` and `whereSql` are built from whitelisted column names only.
 */
export function listStatement (t: Table, whereSql: string, sortSql: string, nParams: number): string {
  const where = `WHERE true${t.live}${whereSql}`
  return `SELECT c.n AS _n, p.* FROM (SELECT count(*) AS n FROM "${t.name}" ${where}) c
    LEFT JOIN LATERAL (SELECT ${t.select} FROM "${t.name}" ${where} ORDER BY ${sortSql} LIMIT $${nParams + 1} OFFSET $${nParams + 2}) p ON true`
}
