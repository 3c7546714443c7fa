/**
 * The benchmark's data model, in one place: the entity and relation metadata sent to
 * Rocket's admin API, and the row counts the dataset script generates. The floor server
 * hand-writes its SQL for the same tables.
 */

/** Invoice statuses, in the order S6 cycles through them. */
export const STATUSES = ['draft', 'sent', 'paid', 'void'] as const

/** Words of the seeded invoice notes (`note`: '<topic> for <project>'); S9 searches one topic. */
export const NOTE_TOPICS = ['consulting', 'hosting', 'design', 'support', 'training', 'licenses', 'hardware', 'travel'] as const
export const NOTE_PROJECTS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'] as const

/** Seeded row counts (items: per invoice). */
export const ROWS = { customers: 10_000, invoices: 50_000, itemsPerInvoice: 4 } as const

/** Entity metadata, POSTed to `_admin/entities` in this order. */
export const ENTITIES = [
  {
    name: 'customer',
    table: 'customers',
    fields: [
      { name: 'id', type: 'uuid' },
      { name: 'name', type: 'string', required: true },
      { name: 'email', type: 'string', unique: true },
      { name: 'city', type: 'string' },
      { name: 'created_at', type: 'timestamp', auto: 'create' }
    ]
  },
  {
    name: 'invoice',
    table: 'invoices',
    soft_delete: true,
    fields: [
      { name: 'id', type: 'uuid' },
      { name: 'number', type: 'string', required: true, unique: true },
      { name: 'status', type: 'string', default: 'draft', enum: [...STATUSES] },
      { name: 'total', type: 'decimal', precision: 12, scale: 2 },
      { name: 'customer_id', type: 'uuid' },
      { name: 'issued_on', type: 'date' },
      // S9 searches it (docs/QUERYING.md "Full-text search").
      { name: 'note', type: 'text', searchable: true },
      { name: 'created_at', type: 'timestamp', auto: 'create' },
      { name: 'updated_at', type: 'timestamp', auto: 'update' }
    ]
  },
  {
    name: 'invoice_item',
    table: 'invoice_items',
    fields: [
      { name: 'id', type: 'uuid' },
      { name: 'invoice_id', type: 'uuid', required: true },
      { name: 'description', type: 'string', required: true },
      { name: 'quantity', type: 'int', default: 1 },
      { name: 'unit_price', type: 'decimal', precision: 12, scale: 2 }
    ]
  }
]

/** Relation metadata: customer → invoices (inverse `customer`), invoice → items. */
export const RELATIONS = [
  { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', source_key: 'id', target_key: 'customer_id', inverse_name: 'customer', on_delete: 'restrict' },
  { name: 'items', type: 'one_to_many', source: 'invoice', target: 'invoice_item', source_key: 'id', target_key: 'invoice_id', on_delete: 'cascade' }
]
