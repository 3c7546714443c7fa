import { Show, type JSX } from 'solid-js'
import { Checkbox, FormField, Input, Select, Textarea } from '../../components/ui.js'
import { ENUM_TYPES, type FieldDraft } from './entity-form.js'
import { withSearchable } from './IndexesEditor.js'

/** The options a field's type takes: length, enum values, precision/scale, auto timestamps, default. */
export function FieldOptions (props: { field: FieldDraft, update: (patch: Partial<FieldDraft>) => void }): JSX.Element {
  const f = (): FieldDraft => props.field
  const text = (key: 'defaultText' | 'enumText' | 'precision' | 'scale' | 'maxLength') =>
    (e: { currentTarget: { value: string } }) => { props.update({ [key]: e.currentTarget.value }) }
  return (
    <div class='grid gap-3 sm:grid-cols-2 lg:grid-cols-4' data-testid='field-options'>
      <Show when={f().type === 'string' || f().type === 'text'}>
        <FormField label='Max length'>
          <Input name='field-max-length' type='number' min='1' value={f().maxLength} onInput={text('maxLength')} />
        </FormField>
      </Show>
      <Show when={f().type === 'decimal'}>
        <FormField label='Precision' hint='alone: decimal places; with scale: total digits (1–1000)'>
          <Input name='field-precision' type='number' value={f().precision} onInput={text('precision')} />
        </FormField>
        <FormField label='Scale' hint='digits after the point (≤ precision)'>
          <Input name='field-scale' type='number' value={f().scale} onInput={text('scale')} />
        </FormField>
      </Show>
      <Show when={ENUM_TYPES.has(f().type)}>
        <FormField label='Enum values' hint='comma separated; empty = any value' class='sm:col-span-2'>
          <Input name='field-enum' value={f().enumText} onInput={text('enumText')} placeholder='draft, sent, paid' />
        </FormField>
      </Show>
      <Show when={f().type === 'timestamp' || f().type === 'date'}>
        <FormField label='Automatic value'>
          <Select name='field-auto' value={f().auto} onChange={(e) => { props.update({ auto: e.currentTarget.value as FieldDraft['auto'] }) }}>
            <option value=''>none</option>
            <option value='create'>set on create</option>
            <option value='update'>set on every update</option>
          </Select>
        </FormField>
      </Show>
      <Show when={f().type !== 'file' && f().auto === ''}>
        <FormField label='Default' class={f().type === 'json' ? 'sm:col-span-2' : ''}>
          <Show
            when={f().type === 'boolean'}
            fallback={
              <Show when={f().type === 'json'} fallback={<Input name='field-default' value={f().defaultText} onInput={text('defaultText')} placeholder='none' />}>
                <Textarea name='field-default' rows='2' value={f().defaultText} onInput={text('defaultText')} placeholder='{"key": "value"}' />
              </Show>
            }
          >
            <Select name='field-default' value={f().defaultText} onChange={(e) => { props.update({ defaultText: e.currentTarget.value }) }}>
              <option value=''>none</option>
              <option value='true'>true</option>
              <option value='false'>false</option>
            </Select>
          </Show>
        </FormField>
      </Show>
      <Show when={f().type === 'string' || f().type === 'text'}>
        <div class='flex items-end pb-1.5'>
          <Checkbox name='field-searchable' label='Searchable (search=)' checked={f().extra.searchable === true} onChange={(v) => { props.update({ extra: withSearchable(f().extra, v) }) }} />
        </div>
      </Show>
      <div class='flex items-end pb-1.5'>
        <Checkbox name='field-nullable' label='Nullable' checked={f().nullable} onChange={(v) => { props.update({ nullable: v }) }} />
      </div>
    </div>
  )
}
