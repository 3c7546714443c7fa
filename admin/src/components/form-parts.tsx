// Pieces every create / edit form ends or starts with.
import { For, Show, type JSX } from 'solid-js'
import type { EntityDef } from '../api/types.js'
import { ErrorPanel } from './ErrorPanel.js'
import { Button, Select } from './ui.js'

export interface FormActionsProps {
  error: unknown
  busy: boolean
  /** Editing an existing row ("Save …") or creating one ("Create …"). */
  editing: boolean
  /** What is saved: "rule" gives "Create rule" / "Save rule". */
  noun: string
  onCancel: () => void
  /** 'cancel' (default): a Cancel button while editing; 'close': a Close button always. */
  dismiss?: 'cancel' | 'close'
}

/** The API error of the last submit, then the submit button (busy: "Saving…") and Cancel / Close. */
export function FormActions (props: FormActionsProps): JSX.Element {
  const close = (): boolean => props.dismiss === 'close'
  return (
    <>
      <ErrorPanel error={props.error} />
      <div class='flex gap-2'>
        <Button type='submit' disabled={props.busy}>{props.busy ? 'Saving…' : props.editing ? `Save ${props.noun}` : `Create ${props.noun}`}</Button>
        <Show when={close() || props.editing}><Button variant='secondary' onClick={() => { props.onCancel() }}>{close() ? 'Close' : 'Cancel'}</Button></Show>
      </div>
    </>
  )
}

/** A select of the app's entities by name, "choose…" first. */
export function EntitySelect (props: { name: string, value: string, entities: readonly EntityDef[], onChange: (name: string) => void, required?: boolean }): JSX.Element {
  return (
    <Select name={props.name} required={props.required} value={props.value} onChange={(e) => { props.onChange(e.currentTarget.value) }}>
      <option value=''>choose…</option>
      <For each={props.entities}>{(en) => <option value={en.name}>{en.name}</option>}</For>
    </Select>
  )
}

/** A select of fixed string choices (a type's constants), typed: `onChange` gets one of them. */
export function ChoiceSelect<T extends string> (props: { name: string, value: T, options: readonly T[], onChange: (value: T) => void, disabled?: boolean, class?: string, 'aria-label'?: string }): JSX.Element {
  return (
    <Select name={props.name} class={props.class} aria-label={props['aria-label']} value={props.value} disabled={props.disabled} onChange={(e) => { props.onChange(e.currentTarget.value as T) }}>
      <For each={props.options}>{(o) => <option value={o}>{o}</option>}</For>
    </Select>
  )
}
