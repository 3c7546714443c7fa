import t from 'tap'
import { textArrayLiteral } from '../../lib/write/sql.js'

/** The literal element by element, every element quoted (what PostgreSQL reads back as the same texts). */
function reference (xs: ReadonlyArray<string | null>): string {
  return `{${xs.map((x) => (x === null ? 'NULL' : `"${x.replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`
}

t.test('text array literals quote every element and escape quotes and backslashes', async (t) => {
  const cases: Array<Array<string | null>> = [
    [], ['a'], [''], ['NULL'], [null], ['a', null, 'b'], [null, null], ['x,y', '{z}', ' sp ', 'q"uote', 'back\\slash', '\\"'],
    ['é', 'line\nbreak'], Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? null : `v${i}`))
  ]
  for (const xs of cases) t.equal(textArrayLiteral(xs), reference(xs), JSON.stringify(xs).slice(0, 60))
})
