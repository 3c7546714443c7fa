import { For, Match, Switch, type JSX } from 'solid-js'
import type { FieldDef } from '../../api/types.js'
import { Input, Select, Textarea } from '../../components/ui.js'
import { FileInput } from './FileInput.js'
import { isFileInfo, type FormValue } from './record-values.js'

export interface FieldInputProps {
  app: string
  field: FieldDef
  value: FormValue
  onChange: (v: FormValue) => void
}

/** The input for one field, chosen by type: enum select, boolean select, date pickers, JSON editor, file upload. */
export function FieldInput (props: FieldInputProps): JSX.Element {
  const f = (): FieldDef => props.field
  const text = (): string => typeof props.value === 'string' ? props.value : ''
  const onInput = (e: { currentTarget: { value: string } }): void => { props.onChange(e.currentTarget.value) }
  const name = (): string => `record-${f().name}`
  return (
    <Switch fallback={<Input name={name()} value={text()} onInput={onInput} required={f().required === true} maxLength={f().max_length} />}>
      <Match when={f().type === 'file'}>
        <FileInput app={props.app} name={f().name} value={isFileInfo(props.value) ? props.value : null} onChange={props.onChange} />
      </Match>
      <Match when={Array.isArray(f().enum)}>
        <Select name={name()} value={text()} onChange={onInput}>
          <option value=''>{f().default !== undefined ? `default (${String(f().default)})` : '—'}</option>
          <For each={f().enum}>{(v) => <option value={String(v)}>{String(v)}</option>}</For>
        </Select>
      </Match>
      <Match when={f().type === 'boolean'}>
        <Select name={name()} value={text()} onChange={onInput}>
          <option value=''>{f().default !== undefined ? `default (${String(f().default)})` : '—'}</option>
          <option value='true'>true</option>
          <option value='false'>false</option>
        </Select>
      </Match>
      <Match when={f().type === 'int' || f().type === 'bigint' || f().type === 'decimal'}>
        <Input name={name()} inputmode={f().type === 'decimal' ? 'decimal' : 'numeric'} value={text()} onInput={onInput} class='font-mono' />
      </Match>
      <Match when={f().type === 'date'}>
        <Input name={name()} type='date' value={text()} onInput={onInput} />
      </Match>
      <Match when={f().type === 'timestamp'}>
        <Input name={name()} type='datetime-local' step='1' value={text()} onInput={onInput} />
      </Match>
      <Match when={f().type === 'json'}>
        <Textarea name={name()} rows='4' value={text()} onInput={onInput} placeholder='{"key": "value"}' />
      </Match>
      <Match when={f().type === 'text'}>
        <Textarea name={name()} rows='3' class='!font-sans' value={text()} onInput={onInput} />
      </Match>
    </Switch>
  )
}
