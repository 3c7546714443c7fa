import { For, type JSX } from 'solid-js'

/**
 * Checkboxes of an entity's fields for a policy's `fields` (docs/security.md, "Field
 * permissions"): none ticked means every field. Ticked fields keep the entity's field order.
 */
export function FieldPicker (props: { fields: string[], picked: string[], onChange: (picked: string[]) => void }): JSX.Element {
  const toggle = (name: string, on: boolean): void => {
    const next = new Set(props.picked)
    if (on) next.add(name)
    else next.delete(name)
    props.onChange(props.fields.filter((f) => next.has(f)))
  }
  return (
    <div class='flex flex-wrap gap-x-4 gap-y-1 py-1' data-testid='permission-fields'>
      <For each={props.fields}>
        {(f) => (
          <label class='inline-flex items-center gap-1.5 font-mono text-sm'>
            <input type='checkbox' name={`permission-field-${f}`} class='accent-neutral-900' checked={props.picked.includes(f)} onChange={(e) => { toggle(f, e.currentTarget.checked) }} />
            {f}
          </label>
        )}
      </For>
      <button type='button' class='text-xs text-neutral-600 underline' onClick={() => { props.onChange([]) }}>every field</button>
    </div>
  )
}
