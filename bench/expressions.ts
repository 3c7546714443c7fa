/**
 * Micro-benchmark of the expression engine: realistic rule expressions compiled once and
 * evaluated 1,000,000 times each. Run with `npx tsx bench/expressions.ts`.
 */
import { compileExpression } from '../lib/expressions/index.js'
import type { ExpressionScope } from '../lib/expressions/index.js'

const ITERATIONS = 1_000_000

const scope: ExpressionScope = {
  record: {
    id: 'b7f3',
    status: 'paid',
    amount: '12000.50',
    stock_level: '7',
    title: 'Invoice 42',
    start_date: new Date('2024-01-01'),
    end_date: '2024-02-01'
  },
  old: { status: 'draft' },
  action: 'update',
  user: { id: 'u1', email: 'a@b.c', roles: ['editor', 'manager'] },
  related: {
    items: Array.from({ length: 5 }, (_, i) => ({ quantity: i + 1, unit_price: '12.50' }))
  },
  context: { days: 6 },
  trigger: { record: { title: 'Ticket' } }
}

const EXPRESSIONS = [
  "record.status === 'paid'",
  "action === 'create'",
  'context.days > 5',
  'record.stock_level < 10',
  "'admin' in user.roles",
  "record.amount > 10000 && !('manager' in user.roles)",
  'new Date(record.end_date) >= new Date(record.start_date)',
  'len(related.items) > 0',
  "record.status in ['paid', 'sent', 'overdue'] ? upper(record.title) : null",
  "sum(related.items, 'quantity * unit_price')"
]

let sink: unknown
for (const source of EXPRESSIONS) {
  const compiled = compileExpression(source)
  for (let i = 0; i < 10_000; i++) sink = compiled.evaluate(scope) // warm-up for the JIT
  const start = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) sink = compiled.evaluate(scope)
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS
  console.log(`${ns.toFixed(1).padStart(8)} ns/op  ${source}  → ${JSON.stringify(sink)}`)
}
