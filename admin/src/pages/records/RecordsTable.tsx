import { createSignal, For, Show, type JSX } from 'solid-js'
import type { EntityDef, FieldDef, RecordData } from '../../api/types.js'
import { Button } from '../../components/ui.js'
import type { Edge } from './edges.js'
import { sortable, type Sort } from './list-query.js'
import { displayValue } from './record-values.js'

export interface RecordsTableProps {
  entity: EntityDef
  records: RecordData[]
  /** Included relations, shown as counts that expand into the related records. */
  included: Edge[]
  sort: Sort | null
  onSort: (field: string) => void
  onEdit: (id: string) => void
  onDelete: (id: string) => void
}

const related = (v: unknown): RecordData[] => Array.isArray(v) ? v as RecordData[] : v !== null && typeof v === 'object' ? [v as RecordData] : []

function Cell (props: { field: FieldDef, value: unknown }): JSX.Element {
  const text = (): string => displayValue(props.field, props.value)
  return (
    <Show when={text() !== ''} fallback={<span class='text-neutral-300'>—</span>}>
      <span class={`block max-w-64 truncate ${props.field.type === 'uuid' ? 'font-mono text-xs' : ''}`} title={text()}>{text()}</span>
    </Show>
  )
}

/** The records of one page; headers sort (asc → desc → none), rows edit or delete, included children expand. */
export function RecordsTable (props: RecordsTableProps): JSX.Element {
  const pk = (): string => props.entity.primary_key.field
  const columns = (): FieldDef[] => props.entity.fields.filter((f) => !(props.entity.soft_delete === true && f.name === 'deleted_at'))
  const [expanded, setExpanded] = createSignal<string | null>(null)
  const ariaSort = (f: FieldDef): 'ascending' | 'descending' | 'none' => props.sort?.field === f.name ? (props.sort.desc ? 'descending' : 'ascending') : 'none'
  return (
    <div class='overflow-x-auto'>
      <table class='min-w-full divide-y divide-neutral-200 text-sm' data-testid='records-table'>
        <thead class='bg-neutral-50 text-left text-xs font-medium text-neutral-500'>
          <tr>
            <For each={columns()}>
              {(f) => (
                <th class='whitespace-nowrap px-3 py-2.5' aria-sort={ariaSort(f)}>
                  <Show when={sortable(f)} fallback={<span>{f.name}</span>}>
                    <button type='button' class='inline-flex items-center gap-1 hover:text-neutral-900' data-sort={f.name} onClick={() => { props.onSort(f.name) }}>
                      {f.name}
                      <span class='w-3 text-neutral-400'>{ariaSort(f) === 'ascending' ? '▲' : ariaSort(f) === 'descending' ? '▼' : ''}</span>
                    </button>
                  </Show>
                </th>
              )}
            </For>
            <For each={props.included}>{(e) => <th class='px-3 py-2.5 whitespace-nowrap'>{e.name}</th>}</For>
            <th class='px-3 py-2.5' />
          </tr>
        </thead>
        <tbody class='divide-y divide-neutral-100 bg-white'>
          <For each={props.records} fallback={<tr><td colspan='99' class='px-4 py-10 text-center text-neutral-500'>No records match.</td></tr>}>
            {(r) => {
              const id = String(r[pk()])
              return (
                <>
                  <tr data-testid='record-row' data-id={id} class='hover:bg-neutral-50'>
                    <For each={columns()}>{(f) => <td class='px-3 py-2' data-field={f.name}><Cell field={f} value={r[f.name]} /></td>}</For>
                    <For each={props.included}>
                      {(e) => (
                        <td class='px-3 py-2'>
                          <button type='button' class='rounded bg-neutral-100 px-1.5 py-0.5 text-xs hover:bg-neutral-200' data-include={e.name} onClick={() => setExpanded(expanded() === `${id}/${e.name}` ? null : `${id}/${e.name}`)}>
                            {related(r[e.name]).length} {e.name}
                          </button>
                        </td>
                      )}
                    </For>
                    <td class='space-x-1 px-3 py-2 text-right whitespace-nowrap'>
                      <Button size='sm' variant='secondary' onClick={() => { props.onEdit(id) }}>Edit</Button>
                      <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => { props.onDelete(id) }}>Delete</Button>
                    </td>
                  </tr>
                  <For each={props.included}>
                    {(e) => (
                      <Show when={expanded() === `${id}/${e.name}`}>
                        <tr class='bg-neutral-50'>
                          <td colspan='99' class='px-6 py-3' data-testid={`children-${e.name}`}>
                            <For each={related(r[e.name])} fallback={<span class='text-xs text-neutral-500'>none</span>}>
                              {(child) => <pre class='mb-1 overflow-x-auto rounded bg-white p-2 text-xs ring-1 ring-neutral-200'>{JSON.stringify(child)}</pre>}
                            </For>
                          </td>
                        </tr>
                      </Show>
                    )}
                  </For>
                </>
              )
            }}
          </For>
        </tbody>
      </table>
    </div>
  )
}
