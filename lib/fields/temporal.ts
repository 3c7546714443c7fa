import { asText, byValue, toMillis } from './compare.js'
import { defineFieldType, fail } from './spec.js'

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/
/** ISO text of years 1..9999 starts with four digits, not '0000' or a sign (PostgreSQL's range). */
const YEAR_RE = /^(?!0000)\d{4}-/
const inYearRange = (value: unknown): boolean => YEAR_RE.test(value as string)

/** `timestamp`: TIMESTAMPTZ, ISO 8601 in and out. */
export const timestamp = defineFieldType({
  columnType: () => 'timestamptz',
  inputSchema: () => ({ type: 'string', format: 'date-time' }),
  outputSchema: () => ({ type: 'string', format: 'date-time' }),
  expected: 'an ISO 8601 date-time string such as "2026-01-31T09:30:00Z"',
  fromQuery: (raw) => {
    const d = DATE_RE.test(raw) ? new Date(raw + 'T00:00:00Z') : new Date(raw)
    if (Number.isNaN(d.getTime())) fail('must be an ISO 8601 timestamp')
    return d.toISOString()
  },
  inRange: inYearRange,
  filterSchema: () => ({ type: 'string', format: 'date-time' }),
  ordered: true,
  temporal: true,
  family: 'timestamp',
  compare: byValue(toMillis),
  cast: '::timestamptz',
  toParam: (value) => (value instanceof Date ? value.toISOString() : value as string),
  fromText: (text) => new Date(text),
  shownSql: (expr) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
})

/** `date`: DATE as 'YYYY-MM-DD' (never shifted by time zones). */
export const date = defineFieldType({
  columnType: () => 'date',
  widensTo: ['timestamptz'],
  inputSchema: () => ({ type: 'string', format: 'date' }),
  outputSchema: () => ({ type: 'string', format: 'date' }),
  expected: 'a date string YYYY-MM-DD',
  fromQuery: (raw) => {
    if (!DATE_RE.test(raw) || Number.isNaN(new Date(raw + 'T00:00:00Z').getTime())) fail('must be a date (YYYY-MM-DD)')
    return raw
  },
  inRange: inYearRange,
  filterSchema: () => ({ type: 'string', format: 'date' }),
  ordered: true,
  temporal: true,
  family: 'date',
  compare: byValue((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : asText(v))),
  cast: '::date',
  shownSql: (expr) => `${expr}::text`,
  // A moment's UTC day.
  storedMoment: (iso) => iso.slice(0, 10)
})
