import { For, Index, Show, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import type { FieldDef } from '../../api/types.js'
import { Button, Input, Select } from '../../components/ui.js'
import { OP_LABELS, opsFor, OR_MEMBERS, type FilterOp, type FilterRow } from './list-query.js'

/**
 * Rows of field · operator · value: ANDed as `filter[field.op]=value`, or members of an OR group
 * (`filter[or][i][...]`: rows of one member AND, the members OR).
 */
export function FilterBuilder (props: { fields: FieldDef[], initial: FilterRow[], onApply: (rows: FilterRow[]) => void }): JSX.Element {
  const [rows, setRows] = createStore<FilterRow[]>(props.initial.map((r) => ({ ...r })))
  const fieldOf = (name: string): FieldDef | undefined => props.fields.find((f) => f.name === name)
  const add = (): void => {
    const first = props.fields[0]
    if (first !== undefined) setRows(rows.length, { field: first.name, op: opsFor(first.type)[0] ?? 'eq', value: '' })
  }
  const setField = (i: number, name: string): void => {
    const ops = opsFor(fieldOf(name)?.type ?? 'string')
    setRows(i, { field: name, op: ops.includes(rows[i]?.op ?? 'eq') ? rows[i]?.op ?? 'eq' : ops[0] ?? 'eq' })
  }
  const apply = (e: SubmitEvent): void => {
    e.preventDefault()
    props.onApply(rows.map((r) => ({ ...r })))
  }
  return (
    <form class='space-y-2' onSubmit={apply} data-testid='filter-builder'>
      <Index each={rows}>
        {(row, i) => (
          <div class='flex flex-wrap items-center gap-2' data-testid={`filter-row-${i}`}>
            <Select name='filter-field' class='!w-44' value={row().field} onChange={(e) => { setField(i, e.currentTarget.value) }}>
              <For each={props.fields}>{(f) => <option value={f.name}>{f.name}</option>}</For>
            </Select>
            <Select name='filter-op' class='!w-40' value={row().op} onChange={(e) => setRows(i, 'op', e.currentTarget.value as FilterOp)}>
              <For each={opsFor(fieldOf(row().field)?.type ?? 'string')}>{(op) => <option value={op}>{OP_LABELS[op]}</option>}</For>
            </Select>
            <Show
              when={row().op === 'is_null' || fieldOf(row().field)?.type === 'boolean'}
              fallback={<Input name='filter-value' class='!w-56' value={row().value} onInput={(e) => setRows(i, 'value', e.currentTarget.value)} placeholder={row().op === 'in' || row().op === 'not_in' ? 'a,b,c' : row().op.includes('like') ? '%text%' : 'value'} />}
            >
              <Select name='filter-value' class='!w-56' value={row().value} onChange={(e) => setRows(i, 'value', e.currentTarget.value)}>
                <option value=''>choose…</option>
                <option value='true'>true</option>
                <option value='false'>false</option>
              </Select>
            </Show>
            <Select name='filter-group' aria-label='Group' class='!w-36' value={row().or === undefined ? '' : String(row().or)} onChange={(e) => setRows(i, 'or', e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))}>
              <option value=''>AND</option>
              <For each={Array.from({ length: OR_MEMBERS }, (_, k) => k)}>{(k) => <option value={String(k)}>OR branch {k + 1}</option>}</For>
            </Select>
            <Button size='sm' variant='ghost' aria-label='Remove filter' onClick={() => setRows((list) => list.filter((_, j) => j !== i))}>✕</Button>
          </div>
        )}
      </Index>
      <div class='flex gap-2'>
        <Button size='sm' variant='secondary' onClick={add}>+ Filter</Button>
        <Button size='sm' type='submit'>Apply filters</Button>
        <Show when={rows.length > 0}>
          <Button size='sm' variant='ghost' onClick={() => { setRows([]); props.onApply([]) }}>Clear</Button>
        </Show>
      </div>
    </form>
  )
}
