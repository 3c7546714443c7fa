import { createSignal, For, Index, Show, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import type { EntityDef, RecordData } from '../../api/types.js'
import { Badge, Button, Input } from '../../components/ui.js'
import type { Edge } from './edges.js'
import { FieldInput } from './FieldInput.js'
import { editableFields, formValuesOf, payloadOf, type FormValues } from './record-values.js'

/** A nested write for one relation key (`{_write_mode, data}`), or null when nothing changed. */
export type NestedPayload = { _write_mode: 'diff', data: RecordData[] } | null
/** Builds the edge's payload at save time; throws when a child value cannot be converted. */
export type PayloadBuilder = () => NestedPayload

interface ChildRow {
  pk: string | null
  values: FormValues
  original: FormValues | null
  deleted: boolean
}

const asList = (v: unknown): RecordData[] => Array.isArray(v) ? v as RecordData[] : (typeof v === 'object' && v !== null ? [v as RecordData] : [])

export interface NestedProps {
  app: string
  edge: Edge
  child: EntityDef
  /** The relation's current value in the record (`include=`): a list, an object or null. */
  current: unknown
  register: (name: string, build: PayloadBuilder) => void
}

/** Children of a has_many / has_one edge, edited in place and saved with the parent (diff mode). */
export function NestedChildren (props: NestedProps): JSX.Element {
  const pkField = (): string => props.child.primary_key.field
  const fields = (): ReturnType<typeof editableFields> => editableFields(props.child, { creating: true, skip: props.edge.remoteKey })
  const [rows, setRows] = createStore<ChildRow[]>(asList(props.current).map((r) => {
    const values = formValuesOf(fields(), r)
    return { pk: String(r[pkField()]), values, original: { ...values }, deleted: false }
  }))

  props.register(props.edge.name, () => {
    const data: RecordData[] = []
    rows.forEach((row, i) => {
      if (row.deleted) {
        if (row.pk !== null) data.push({ [pkField()]: row.pk, _delete: true })
        return
      }
      const { body, errors } = payloadOf(fields().filter((f) => row.pk === null || f.name !== pkField()), row.values, row.original)
      const problem = Object.entries(errors)[0]
      if (problem !== undefined) throw new Error(`${props.edge.name}[${i}].${problem[0]}: ${problem[1]}`)
      if (row.pk !== null && Object.keys(body).length === 0) return
      data.push(row.pk !== null ? { [pkField()]: row.pk, ...body } : body)
    })
    return data.length > 0 ? { _write_mode: 'diff', data } : null
  })

  const canAdd = (): boolean => props.edge.kind === 'has_many' || rows.filter((r) => !r.deleted).length === 0
  return (
    <div class='overflow-x-auto rounded-md ring-1 ring-neutral-200' data-testid={`nested-${props.edge.name}`}>
      <table class='min-w-full text-sm'>
        <thead class='bg-neutral-50 text-left text-xs text-neutral-500'>
          <tr>
            <For each={fields()}>{(f) => <th class='px-2 py-1.5 font-medium'>{f.name}</th>}</For>
            <th class='w-16' />
          </tr>
        </thead>
        <tbody>
          <Index each={rows} fallback={<tr><td class='px-2 py-3 text-xs text-neutral-500' colspan='99'>No {props.edge.name} yet.</td></tr>}>
            {(row, i) => (
              <tr class={`border-t border-neutral-100 ${row().deleted ? 'opacity-40' : ''}`} data-testid={`nested-${props.edge.name}-row-${i}`}>
                <For each={fields()}>
                  {(f) => (
                    <td class='min-w-36 px-2 py-1.5 align-top'>
                      <Show when={!(f.name === pkField() && row().pk !== null)} fallback={<span class='font-mono text-xs'>{row().pk}</span>}>
                        <FieldInput app={props.app} field={f} value={row().values[f.name] ?? ''} onChange={(v) => setRows(i, 'values', f.name, v)} />
                      </Show>
                    </td>
                  )}
                </For>
                <td class='px-2 py-1.5 text-right align-top'>
                  <Button size='sm' variant='ghost' aria-label={row().deleted ? 'Keep' : 'Remove'} onClick={() => setRows(i, 'deleted', (d) => !d)}>{row().deleted ? 'Undo' : '✕'}</Button>
                </td>
              </tr>
            )}
          </Index>
        </tbody>
      </table>
      <Show when={canAdd()}>
        <div class='border-t border-neutral-100 px-2 py-2'>
          <Button size='sm' variant='secondary' onClick={() => setRows(rows.length, { pk: null, values: formValuesOf(fields(), null), original: null, deleted: false })}>+ Add {props.edge.name}</Button>
        </div>
      </Show>
    </div>
  )
}

/** Links of a many_to_many edge: shown by key; add a key to link, remove to unlink (join rows only). */
export function NestedLinks (props: NestedProps): JSX.Element {
  const key = (): string => props.edge.remoteKey
  const label = (r: RecordData): string => {
    const f = props.child.fields.find((x) => x.type === 'string' && x.name !== key())
    return f !== undefined && r[f.name] !== null && r[f.name] !== undefined ? String(r[f.name]) : ''
  }
  const [links, setLinks] = createStore(asList(props.current).map((r) => ({ id: String(r[key()]), label: label(r), state: 'kept' as 'kept' | 'added' | 'removed' })))
  const [adding, setAdding] = createSignal('')
  props.register(props.edge.name, () => {
    const data: RecordData[] = []
    for (const l of links) {
      if (l.state === 'added') data.push({ [key()]: l.id })
      if (l.state === 'removed') data.push({ [key()]: l.id, _delete: true })
    }
    return data.length > 0 ? { _write_mode: 'diff', data } : null
  })
  return (
    <div class='space-y-2 rounded-md p-2 ring-1 ring-neutral-200' data-testid={`nested-${props.edge.name}`}>
      <div class='flex flex-wrap gap-1.5'>
        <For each={links} fallback={<span class='text-xs text-neutral-500'>No linked {props.child.name} records.</span>}>
          {(l, i) => (
            <span class={`inline-flex items-center gap-1 rounded bg-neutral-100 px-2 py-0.5 text-xs ${l.state === 'removed' ? 'line-through opacity-50' : ''}`}>
              <span class='font-mono'>{l.id.slice(0, 8)}</span>{l.label !== '' ? ` ${l.label}` : ''}
              <Show when={l.state === 'added'}><Badge tone='green'>new</Badge></Show>
              <button
                type='button' class='ml-1 opacity-60 hover:opacity-100' aria-label='Toggle link' onClick={() => {
                  if (l.state === 'added') setLinks((list) => list.filter((_, j) => j !== i()))
                  else setLinks(i(), 'state', l.state === 'removed' ? 'kept' : 'removed')
                }}
              >✕
              </button>
            </span>
          )}
        </For>
      </div>
      <div class='flex gap-2'>
        <Input name={`link-${props.edge.name}`} class='font-mono' placeholder={`${props.child.name} ${key()}`} value={adding()} onInput={(e) => setAdding(e.currentTarget.value)} />
        <Button size='sm' variant='secondary' disabled={adding().trim() === ''} onClick={() => { setLinks(links.length, { id: adding().trim(), label: '', state: 'added' }); setAdding('') }}>Link</Button>
      </div>
    </div>
  )
}
