import t from 'tap'
import { parseTimestamptz } from '../../lib/db/timestamps.js'

t.test('TIMESTAMPTZ texts parse as new Date(text) does, repeated ones included', async (t) => {
  const texts = ['2026-01-31 09:30:00.123+00', '2026-01-31 09:30:00.123+00', '2026-01-31 09:30:00.123+00', '2025-12-31 23:59:59+02', '2025-12-31 23:59:59+02', '2026-01-31 09:30:00.123+00']
  for (const text of texts) {
    const d = parseTimestamptz(text)
    t.ok(d instanceof Date, `${text}: a Date`)
    t.equal(d.getTime(), new Date(text).getTime(), `${text}: same moment`)
    t.equal(d.toISOString(), new Date(text).toISOString(), `${text}: same ISO text`)
    t.equal(JSON.stringify({ d }), JSON.stringify({ d: new Date(text) }), `${text}: same JSON`)
  }
})

t.test('a repeated moment renders its own value once changed', async (t) => {
  parseTimestamptz('2026-03-01 10:00:00+00')
  const a = parseTimestamptz('2026-03-01 10:00:00+00')
  const b = parseTimestamptz('2026-03-01 10:00:00+00')
  t.equal(a.toISOString(), '2026-03-01T10:00:00.000Z')
  a.setTime(Date.UTC(2027, 0, 1))
  t.equal(a.toISOString(), '2027-01-01T00:00:00.000Z', 'the changed Date shows its new moment')
  t.equal(b.toISOString(), '2026-03-01T10:00:00.000Z', 'the others keep the parsed one')
})

t.test('infinity stays an invalid Date, repeated or not', async (t) => {
  for (let i = 0; i < 2; i++) {
    const d = parseTimestamptz('infinity')
    t.ok(Number.isNaN(d.getTime()))
    t.throws(() => d.toISOString(), RangeError)
  }
})
