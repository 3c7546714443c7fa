import { For, Show, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import { ON_DELETE, RELATION_TYPES, WRITE_MODES, type EntityDef, type RelationDef, type RelationType } from '../../api/types.js'
import { ChoiceSelect, FormActions } from '../../components/form-parts.js'
import { createSubmit } from '../../components/forms.js'
import { FormField, Input, Select } from '../../components/ui.js'

interface RelationDraft {
  name: string
  type: RelationType
  source: string
  target: string
  source_key: string
  target_key: string
  inverse_name: string
  on_delete: string
  fetch: string
  write_mode: string
  ownership: string
  join_table: string
  source_join_key: string
  target_join_key: string
}

const OPTIONAL = ['source_key', 'target_key', 'inverse_name', 'on_delete', 'fetch', 'write_mode', 'ownership', 'join_table', 'source_join_key', 'target_join_key'] as const

function draftOf (r: RelationDef | null): RelationDraft {
  return {
    name: r?.name ?? '',
    type: r?.type ?? 'one_to_many',
    source: r?.source ?? '',
    target: r?.target ?? '',
    source_key: r?.source_key ?? '',
    target_key: r?.target_key ?? '',
    inverse_name: r?.inverse_name ?? '',
    on_delete: r?.on_delete ?? '',
    fetch: r?.fetch ?? '',
    write_mode: r?.write_mode ?? '',
    ownership: r?.ownership ?? '',
    join_table: r?.join_table ?? '',
    source_join_key: r?.source_join_key ?? '',
    target_join_key: r?.target_join_key ?? ''
  }
}

/** The body to send: empty options are left out so the server applies its defaults. */
function bodyOf (d: RelationDraft): Record<string, string> {
  const body: Record<string, string> = { name: d.name.trim(), type: d.type, source: d.source, target: d.target }
  for (const k of OPTIONAL) {
    const many = k === 'join_table' || k === 'source_join_key' || k === 'target_join_key'
    if (d[k].trim() !== '' && (!many || d.type === 'many_to_many')) body[k] = d[k].trim()
  }
  return body
}

export interface RelationFormProps {
  entities: EntityDef[]
  /** The relation being edited, or null for a new one. */
  editing: RelationDef | null
  onSubmit: (body: Record<string, string>) => Promise<void>
  onCancel: () => void
}

/** Create or edit a relation; keys are picked from the fields of the chosen entities. */
export function RelationForm (props: RelationFormProps): JSX.Element {
  const [d, setD] = createStore<RelationDraft>(draftOf(props.editing))
  const { busy, error, run } = createSubmit()
  const fieldsOf = (entity: string): string[] => props.entities.find((e) => e.name === entity)?.fields.map((f) => f.name) ?? []
  const fieldError = (key: string): string | undefined => {
    const err = error() as { details?: Array<{ field?: string, message: string }> } | null
    return err?.details?.find((x) => x.field === key)?.message
  }

  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    await run(async () => { await props.onSubmit(bodyOf(d)) })
  }

  const select = (key: keyof RelationDraft, label: string, options: readonly string[], hint?: string): JSX.Element => (
    <FormField label={label} hint={hint} error={fieldError(key)}>
      <Select name={`relation-${key}`} value={d[key]} onChange={(e) => setD(key, e.currentTarget.value)}>
        <option value=''>{key === 'source' || key === 'target' ? 'choose…' : 'default'}</option>
        <For each={options}>{(o) => <option value={o}>{o}</option>}</For>
      </Select>
    </FormField>
  )
  const text = (key: keyof RelationDraft, label: string, hint?: string): JSX.Element => (
    <FormField label={label} hint={hint} error={fieldError(key)}>
      <Input name={`relation-${key}`} class='font-mono' value={d[key]} onInput={(e) => setD(key, e.currentTarget.value)} />
    </FormField>
  )
  const entityNames = (): string[] => props.entities.map((e) => e.name)

  return (
    <form class='space-y-3 p-4' onSubmit={(e) => { void submit(e) }} data-testid='relation-form'>
      <FormField label='Name' hint='the key used in include= and nested writes on the source' error={fieldError('name')}>
        <Input name='relation-name' required class='font-mono' disabled={props.editing !== null} value={d.name} onInput={(e) => setD('name', e.currentTarget.value)} />
      </FormField>
      <FormField label='Type'>
        <ChoiceSelect name='relation-type' value={d.type} options={RELATION_TYPES} onChange={(v) => setD('type', v)} />
      </FormField>
      <div class='grid grid-cols-2 gap-3'>
        {select('source', 'Source entity', entityNames())}
        {select('target', 'Target entity', entityNames())}
        {select('source_key', 'Source key', fieldsOf(d.source), 'default: primary key')}
        {select('target_key', 'Target key', fieldsOf(d.target), d.type === 'many_to_many' ? 'default: primary key' : 'the FK field on the target')}
      </div>
      {text('inverse_name', 'Inverse name', 'the key on the target side (default: the name)')}
      <div class='grid grid-cols-2 gap-3'>
        {select('on_delete', 'On delete', ON_DELETE)}
        {select('write_mode', 'Write mode', WRITE_MODES)}
        {select('fetch', 'Fetch', ['lazy', 'eager'])}
        {select('ownership', 'Ownership', ['source', 'target', 'none'])}
      </div>
      <Show when={d.type === 'many_to_many'}>
        <div class='grid grid-cols-3 gap-3'>
          {text('join_table', 'Join table')}
          {text('source_join_key', 'Source join key')}
          {text('target_join_key', 'Target join key')}
        </div>
      </Show>
      <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='relation' onCancel={() => { props.onCancel() }} />
    </form>
  )
}
