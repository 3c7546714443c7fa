import { useNavigate, useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { createStore, produce } from 'solid-js/store'
import { ApiError } from '../../api/client.js'
import { createEntity, getEntity, updateEntity } from '../../api/metadata.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { appPath } from '../../components/nav.js'
import { Button, Card, Checkbox, Empty, FormField, Input, PageHeader, Select } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { defFromDraft, draftFromDef, fieldIndexOf, hasTimestamps, newEntityDraft, newField, pkCandidates, withTimestamps, type DraftErrors, type EntityDraft, type FieldDraft } from './entity-form.js'
import { FieldsTable } from './FieldsTable.js'
import { IndexesEditor } from './IndexesEditor.js'
import type { IndexDef } from '../../api/types.js'

function EntityForm (props: { app: string, initial: EntityDraft, existing: boolean }): JSX.Element {
  const navigate = useNavigate()
  const [draft, setDraft] = createStore<EntityDraft>(structuredClone(props.initial))
  const [error, setError] = createSignal<unknown>(null)
  const [localErrors, setLocalErrors] = createSignal<DraftErrors>({})
  const [busy, setBusy] = createSignal(false)

  /** Messages for one field row: conversion problems and the API's 422 details that name it. */
  const errorsFor = (index: number): string[] => {
    const out: string[] = []
    for (const [path, message] of Object.entries(localErrors())) if (fieldIndexOf(path, draft) === index) out.push(`${path}: ${message}`)
    const err = error()
    if (err instanceof ApiError) for (const d of err.details) if (d.field !== undefined && fieldIndexOf(d.field, draft) === index) out.push(d.message)
    return out
  }
  const topErrors = (key: string): string | undefined => {
    const err = error()
    const d = err instanceof ApiError ? err.details.find((x) => x.field === key || x.field?.startsWith(`${key}.`) === true) : undefined
    return d?.message ?? localErrors()[key]
  }

  const save = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    setError(null)
    const { def, errors } = defFromDraft(draft)
    setLocalErrors(errors)
    if (Object.keys(errors).length > 0) return
    setBusy(true)
    try {
      const saved = props.existing ? await updateEntity(props.app, draft.name, def) : await createEntity(props.app, def)
      toastSuccess(`Entity ${saved.name} saved`)
      if (!props.existing) navigate(appPath(props.app, `entities/${saved.name}`), { replace: true })
      else setDraft(draftFromDef(saved))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  const update = (index: number, patch: Partial<FieldDraft>): void => { setDraft('fields', index, patch) }
  const stringFields = (): FieldDraft[] => draft.fields.filter((f) => f.name !== '' && (f.type === 'string' || f.type === 'text'))

  return (
    <form class='grid gap-6 2xl:grid-cols-[1fr_22rem]' onSubmit={(e) => { void save(e) }} data-testid='entity-form'>
      <div class='space-y-6'>
        <Card title='Entity'>
          <div class='grid gap-4 p-4 sm:grid-cols-3'>
            <FormField label='Name' error={topErrors('name')}>
              <Input name='entity-name' required class='font-mono' disabled={props.existing} value={draft.name} onInput={(e) => setDraft('name', e.currentTarget.value)} placeholder='invoice' />
            </FormField>
            <FormField label='Table' hint='default: the name' error={topErrors('table')}>
              <Input name='entity-table' class='font-mono' value={draft.table} onInput={(e) => setDraft('table', e.currentTarget.value)} placeholder={draft.name !== '' ? draft.name : 'invoices'} />
            </FormField>
            <FormField label='Primary key' error={topErrors('primary_key')}>
              <Select name='entity-pk' value={draft.pkField} onChange={(e) => setDraft('pkField', e.currentTarget.value)}>
                <For each={pkCandidates(draft)}>{(f) => <option value={f.name}>{f.name} ({f.type})</option>}</For>
              </Select>
            </FormField>
          </div>
          <div class='flex flex-wrap gap-x-6 gap-y-2 border-t border-neutral-100 px-4 py-3'>
            <Checkbox name='soft-delete' label='Soft delete (deleted_at)' checked={draft.softDelete} onChange={(v) => setDraft('softDelete', v)} />
            <Checkbox name='timestamps' label='Timestamps (created_at, updated_at)' checked={hasTimestamps(draft)} onChange={(v) => setDraft('fields', withTimestamps(draft.fields, v))} />
            <Checkbox name='slug-enabled' label='Slug' checked={draft.slugEnabled} onChange={(v) => setDraft('slugEnabled', v)} />
          </div>
          <Show when={draft.slugEnabled}>
            <div class='grid gap-4 border-t border-neutral-100 p-4 sm:grid-cols-3' data-testid='slug-config'>
              <FormField label='Slug field' hint='a string field that stores the slug' error={topErrors('slug')}>
                <Select name='slug-field' value={draft.slugField} onChange={(e) => setDraft('slugField', e.currentTarget.value)}>
                  <option value=''>choose…</option>
                  <For each={stringFields()}>{(f) => <option value={f.name}>{f.name}</option>}</For>
                </Select>
              </FormField>
              <FormField label='Generated from'>
                <Select name='slug-source' value={draft.slugSource} onChange={(e) => setDraft('slugSource', e.currentTarget.value)}>
                  <option value=''>choose…</option>
                  <For each={draft.fields.filter((f) => f.name !== '')}>{(f) => <option value={f.name}>{f.name}</option>}</For>
                </Select>
              </FormField>
              <div class='flex items-end pb-1.5'>
                <Checkbox name='slug-regenerate' label='Regenerate on update' checked={draft.slugRegenerate} onChange={(v) => setDraft('slugRegenerate', v)} />
              </div>
            </div>
          </Show>
        </Card>
        <Card title={`Fields (${draft.fields.length})`}>
          <FieldsTable
            fields={draft.fields}
            pkField={draft.pkField}
            errorsFor={errorsFor}
            update={update}
            remove={(i) => setDraft('fields', produce((list) => { list.splice(i, 1) }))}
            add={() => setDraft('fields', draft.fields.length, newField())}
          />
        </Card>
        <Card title='Indexes'>
          <IndexesEditor
            app={props.app}
            entity={props.existing ? draft.name : null}
            indexes={(draft.extra.indexes as IndexDef[] | undefined) ?? []}
            onChange={(list) => setDraft('extra', produce((extra) => {
              if (list.length > 0) extra.indexes = list
              else delete extra.indexes
            }))}
          />
        </Card>
      </div>
      <div class='space-y-4 2xl:sticky 2xl:top-0 2xl:self-start'>
        <ErrorPanel error={error()} />
        <Show when={Object.keys(localErrors()).length > 0}>
          <ErrorPanel error={new Error('Some values could not be converted: see the marked fields')} />
        </Show>
        <Card>
          <div class='space-y-3 p-4 text-sm text-neutral-600'>
            <p>Saving migrates the table in the same transaction: new fields add columns, safe widenings apply, removed fields are hidden (columns are never dropped).</p>
            <div class='flex gap-2'>
              <Button type='submit' disabled={busy()}>{busy() ? 'Saving…' : props.existing ? 'Save changes' : 'Create entity'}</Button>
              <Button variant='secondary' onClick={() => navigate(appPath(props.app, 'entities'))}>Back</Button>
            </div>
          </div>
        </Card>
      </div>
    </form>
  )
}

/** `/entities/new` and `/entities/:name`: the entity editor. */
export function EntityEditorPage (): JSX.Element {
  const params = useParams<{ app: string, name?: string }>()
  const isNew = (): boolean => params.name === undefined
  const [def] = createResource(() => isNew() ? null : { app: params.app, name: params.name ?? '' }, async (k) => await getEntity(k.app, k.name))
  return (
    <>
      <PageHeader title={isNew() ? 'New entity' : `Entity ${params.name ?? ''}`} subtitle='Fields, primary key, slug and soft delete.' />
      <Show
        when={isNew()} fallback={
          <Show when={def()} keyed fallback={<><ErrorPanel error={def.error} /><Show when={def.loading}><Empty>Loading…</Empty></Show></>}>
            {(loaded) => <EntityForm app={params.app} initial={draftFromDef(loaded)} existing />}
          </Show>
      }
      >
        <EntityForm app={params.app} initial={newEntityDraft()} existing={false} />
      </Show>
    </>
  )
}
