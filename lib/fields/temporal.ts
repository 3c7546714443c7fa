import { fail, type FieldTypeSpec } from './spec.js'

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/

/** `timestamp`: TIMESTAMPTZ, ISO 8601 in and out. */
export const timestamp: FieldTypeSpec = {
  columnType: () => 'timestamptz',
  inputSchema: () => ({ type: 'string', format: 'date-time' }),
  outputSchema: () => ({ type: 'string', format: 'date-time' }),
  fromQuery: (raw) => {
    const d = DATE_RE.test(raw) ? new Date(raw + 'T00:00:00Z') : new Date(raw)
    if (Number.isNaN(d.getTime())) fail('must be an ISO 8601 timestamp')
    return d.toISOString()
  },
  ordered: true,
  widensTo: []
}

/** `date`: DATE as 'YYYY-MM-DD' (never shifted by time zones). */
export const date: FieldTypeSpec = {
  columnType: () => 'date',
  inputSchema: () => ({ type: 'string', format: 'date' }),
  outputSchema: () => ({ type: 'string', format: 'date' }),
  fromQuery: (raw) => {
    if (!DATE_RE.test(raw) || Number.isNaN(new Date(raw + 'T00:00:00Z').getTime())) fail('must be a date (YYYY-MM-DD)')
    return raw
  },
  ordered: true,
  widensTo: ['timestamptz']
}

/** A moment as a field of `type` stores it: 'YYYY-MM-DD' (its UTC day) for a date, ISO 8601 otherwise. */
export function storedTime (type: string, at: Date): string {
  const iso = at.toISOString()
  return type === 'date' ? iso.slice(0, 10) : iso
}
