import { createSignal, For, Index, Show, type JSX } from 'solid-js'
import { FIELD_TYPES } from '../../api/types.js'
import { ChoiceSelect } from '../../components/form-parts.js'
import { Badge, Button, Input } from '../../components/ui.js'
import type { FieldDraft } from './entity-form.js'
import { FieldOptions } from './FieldOptions.js'

/** Short description of a field's options for the collapsed row. */
function summary (f: FieldDraft): string {
  const parts: string[] = []
  if (f.maxLength !== '') parts.push(`max ${f.maxLength}`)
  if (f.precision !== '') parts.push(f.scale !== '' ? `(${f.precision},${f.scale})` : `${f.precision} places`)
  if (f.enumText.trim() !== '') parts.push(`enum: ${f.enumText}`)
  if (f.auto !== '') parts.push(`auto on ${f.auto}`)
  if (f.defaultText !== '') parts.push(`default ${f.defaultText}`)
  if (f.nullable) parts.push('nullable')
  return parts.join(' · ')
}

export interface FieldsTableProps {
  fields: FieldDraft[]
  pkField: string
  errorsFor: (index: number) => string[]
  update: (index: number, patch: Partial<FieldDraft>) => void
  remove: (index: number) => void
  add: () => void
}

/** Editable list of an entity's fields: name, type picker, flags, and per-type options on demand. */
export function FieldsTable (props: FieldsTableProps): JSX.Element {
  const [open, setOpen] = createSignal<ReadonlySet<number>>(new Set())
  const toggle = (key: number): void => {
    const next = new Set(open())
    if (next.has(key)) next.delete(key)
    else next.add(key)
    setOpen(next)
  }
  return (
    <div>
      <div class='grid grid-cols-[minmax(9rem,1.2fr)_minmax(8rem,1fr)_auto_auto_minmax(8rem,2fr)_auto] items-center gap-x-3 border-b border-neutral-200 bg-neutral-50 px-4 py-2 text-xs font-medium uppercase tracking-wide text-neutral-500'>
        <span>Name</span><span>Type</span><span>Required</span><span>Unique</span><span>Options</span><span />
      </div>
      <Index each={props.fields}>
        {(field, i) => (
          <div class='border-b border-neutral-100 px-4 py-2' data-testid={`field-row-${i}`}>
            <div class='grid grid-cols-[minmax(9rem,1.2fr)_minmax(8rem,1fr)_auto_auto_minmax(8rem,2fr)_auto] items-center gap-x-3'>
              <div class='flex items-center gap-2'>
                <Input name='field-name' aria-label='Field name' class='font-mono' value={field().name} onInput={(e) => { props.update(i, { name: e.currentTarget.value }) }} />
                <Show when={field().name !== '' && field().name === props.pkField}><Badge tone='blue'>PK</Badge></Show>
              </div>
              <ChoiceSelect name='field-type' aria-label='Field type' value={field().type} options={FIELD_TYPES} onChange={(v) => { props.update(i, { type: v }) }} />
              <input type='checkbox' name='field-required' aria-label='Required' class='mx-auto size-4 accent-neutral-900' checked={field().required} onChange={(e) => { props.update(i, { required: e.currentTarget.checked }) }} />
              <input type='checkbox' name='field-unique' aria-label='Unique' class='mx-auto size-4 accent-neutral-900' checked={field().unique} onChange={(e) => { props.update(i, { unique: e.currentTarget.checked }) }} />
              <button type='button' name='field-options-toggle' class='truncate rounded px-2 py-1 text-left text-xs text-neutral-500 hover:bg-neutral-100' onClick={() => { toggle(field().key) }}>
                {open().has(field().key) ? '▾ ' : '▸ '}{summary(field()) !== '' ? summary(field()) : 'options'}
              </button>
              <Button size='sm' variant='ghost' aria-label={`Remove field ${field().name}`} onClick={() => { props.remove(i) }}>✕</Button>
            </div>
            <Show when={open().has(field().key)}>
              <div class='mt-3 rounded-md bg-neutral-50 p-3'>
                <FieldOptions field={field()} update={(patch) => { props.update(i, patch) }} />
              </div>
            </Show>
            <Show when={props.errorsFor(i).length > 0}>
              <ul class='mt-1 text-xs text-red-600' role='alert' data-testid='field-error'>
                <For each={props.errorsFor(i)}>{(m) => <li>{m}</li>}</For>
              </ul>
            </Show>
          </div>
        )}
      </Index>
      <div class='px-4 py-3'>
        <Button size='sm' variant='secondary' onClick={() => { props.add() }}>+ Add field</Button>
      </div>
    </div>
  )
}
