import { createSignal, For, Show, type JSX } from 'solid-js'
import type { EntityDef } from '../../api/types.js'
import { Button, Checkbox, Input } from '../../components/ui.js'

/** `search=` over the entity's searchable fields (docs/QUERYING.md "Full-text search"). */
export function SearchBox (props: { value: string, onSearch: (text: string) => void }): JSX.Element {
  const [text, setText] = createSignal(props.value)
  return (
    <form class='flex items-center gap-2' data-testid='search-box' onSubmit={(e) => { e.preventDefault(); props.onSearch(text().trim()) }}>
      <Input name='search' type='search' aria-label='Search' class='!w-72' value={text()} onInput={(e) => setText(e.currentTarget.value)} placeholder='Search words, "phrase", -exclude' />
      <Button size='sm' type='submit'>Search</Button>
    </form>
  )
}

/** `fields=`: which columns the list asks for (none checked = all; the key always comes back). */
export function FieldPicker (props: { entity: EntityDef, selected: string[], onChange: (fields: string[]) => void }): JSX.Element {
  const pk = (): string => props.entity.primary_key.field
  const toggle = (name: string, on: boolean): void => {
    props.onChange(on ? [...props.selected, name] : props.selected.filter((n) => n !== name))
  }
  return (
    <div class='flex flex-wrap items-center gap-x-4 gap-y-1 border-t border-neutral-100 pt-3' data-testid='field-picker'>
      <span class='text-xs font-medium text-neutral-500'>Fields</span>
      <For each={props.entity.fields.filter((f) => f.name !== pk())}>
        {(f) => <Checkbox name={`field-${f.name}`} label={f.name} checked={props.selected.includes(f.name)} onChange={(v) => { toggle(f.name, v) }} />}
      </For>
      <Show when={props.selected.length > 0}>
        <Button size='sm' variant='ghost' onClick={() => props.onChange([])}>All fields</Button>
      </Show>
    </div>
  )
}
