import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import { createRecord, getRecord, updateRecord } from '../../api/records.js'
import type { EntityDef, RecordData } from '../../api/types.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Button, Empty, FormField } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import type { Edge } from './edges.js'
import { FieldInput } from './FieldInput.js'
import { NestedChildren, NestedLinks, type PayloadBuilder } from './NestedChildren.js'
import { editableFields, formValuesOf, payloadOf, type FormValues } from './record-values.js'

export interface RecordEditorProps {
  app: string
  entity: EntityDef
  entities: EntityDef[]
  /** Edges whose children are edited with the record (has_many, has_one, many_to_many). */
  edges: Edge[]
  /** Primary key of the record to edit, or null to create one. */
  recordId: string | null
  onClose: () => void
  onSaved: (record: RecordData) => void
}

function Form (props: RecordEditorProps & { record: RecordData | null }): JSX.Element {
  const creating = (): boolean => props.record === null
  const fields = editableFields(props.entity, { creating: props.record === null })
  const original = props.record !== null ? formValuesOf(fields, props.record) : null
  const [values, setValues] = createStore<FormValues>(formValuesOf(fields, props.record))
  const [fieldErrors, setFieldErrors] = createSignal<Record<string, string>>({})
  const [error, setError] = createSignal<unknown>(null)
  const [busy, setBusy] = createSignal(false)
  const builders = new Map<string, PayloadBuilder>()
  const register = (name: string, build: PayloadBuilder): void => { builders.set(name, build) }
  const childOf = (edge: Edge): EntityDef | undefined => props.entities.find((e) => e.name === edge.to)

  const save = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    setError(null)
    const { body, errors } = payloadOf(fields, values, original)
    setFieldErrors(errors)
    if (Object.keys(errors).length > 0) return
    try {
      for (const [name, build] of builders) {
        const nested = build()
        if (nested !== null) body[name] = nested
      }
    } catch (err) {
      setError(err)
      return
    }
    setBusy(true)
    try {
      const id = props.recordId
      const saved = id === null ? await createRecord(props.app, props.entity.name, body) : await updateRecord(props.app, props.entity.name, id, body)
      toastSuccess(id === null ? `${props.entity.name} created` : `${props.entity.name} saved`)
      props.onSaved(saved)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class='flex h-full flex-col' onSubmit={(e) => { void save(e) }} data-testid='record-form'>
      <div class='flex-1 space-y-4 overflow-y-auto p-5'>
        <For each={fields}>
          {(f) => (
            <FormField label={`${f.name} · ${f.type}${f.required === true ? ' · required' : ''}`} error={fieldErrors()[f.name]}>
              <FieldInput app={props.app} field={f} value={values[f.name] ?? ''} onChange={(v) => setValues(f.name, v)} />
            </FormField>
          )}
        </For>
        <For each={props.edges}>
          {(edge) => (
            <Show when={childOf(edge)}>
              {(child) => (
                <div>
                  <p class='mb-1.5 text-xs font-medium text-neutral-600'>{edge.name} <span class='text-neutral-400'>· {edge.kind.replace('_', ' ')} {child().name}</span></p>
                  <Show when={edge.kind === 'many_to_many'} fallback={<NestedChildren app={props.app} edge={edge} child={child()} current={props.record?.[edge.name] ?? null} register={register} />}>
                    <NestedLinks app={props.app} edge={edge} child={child()} current={props.record?.[edge.name] ?? null} register={register} />
                  </Show>
                </div>
              )}
            </Show>
          )}
        </For>
        <ErrorPanel error={error()} />
      </div>
      <div class='flex justify-end gap-2 border-t border-neutral-200 bg-neutral-50 px-5 py-3'>
        <Button variant='secondary' onClick={() => { props.onClose() }}>Cancel</Button>
        <Button type='submit' disabled={busy()}>{busy() ? 'Saving…' : creating() ? 'Create' : 'Save'}</Button>
      </div>
    </form>
  )
}

/** Side panel to create or edit a record, its nested children included (one transaction). */
export function RecordEditor (props: RecordEditorProps): JSX.Element {
  const [record] = createResource(() => props.recordId, async (id) => await getRecord(props.app, props.entity.name, id, props.edges.map((e) => e.name)))
  return (
    <div class='fixed inset-0 z-30 flex justify-end bg-neutral-900/30' onClick={(e) => { if (e.target === e.currentTarget) props.onClose() }}>
      <aside class='flex h-full w-full max-w-2xl flex-col bg-white shadow-xl' role='dialog' aria-label='Record'>
        <header class='flex items-center justify-between border-b border-neutral-200 px-5 py-3'>
          <h2 class='text-sm font-semibold'>{props.recordId === null ? `New ${props.entity.name}` : `${props.entity.name} ${props.recordId}`}</h2>
          <button type='button' class='text-neutral-500 hover:text-neutral-900' aria-label='Close' onClick={() => { props.onClose() }}>✕</button>
        </header>
        <Show when={props.recordId !== null} fallback={<Form {...props} record={null} />}>
          <Show when={record()} keyed fallback={<><ErrorPanel error={record.error} /><Show when={record.loading}><Empty>Loading…</Empty></Show></>}>
            {(r) => <Form {...props} record={r} />}
          </Show>
        </Show>
      </aside>
    </div>
  )
}
