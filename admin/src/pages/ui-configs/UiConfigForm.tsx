import { createSignal, type JSX } from 'solid-js'
import type { UiConfig } from '../../api/ops-types.js'
import type { EntityDef } from '../../api/types.js'
import { EntitySelect, FormActions } from '../../components/form-parts.js'
import { createSubmit, detailFor, parseJson, pretty } from '../../components/forms.js'
import { JsonEditor } from '../../components/JsonEditor.js'
import { FormField, Input } from '../../components/ui.js'

export interface UiConfigBody { entity: string, scope: string, config: unknown }

const EXAMPLE = { list: { columns: ['name', 'created_at'], sort: '-created_at' }, form: { sections: [{ title: 'Main', fields: ['name'] }] } }

/** A UI config: entity, scope and a JSON object, checked as it is typed. */
export function UiConfigForm (props: { entities: EntityDef[], editing: UiConfig | null, onSubmit: (body: UiConfigBody) => Promise<void>, onCancel: () => void }): JSX.Element {
  const [entity, setEntity] = createSignal(props.editing?.entity ?? '')
  const [scope, setScope] = createSignal(props.editing?.scope ?? 'default')
  const [config, setConfig] = createSignal(pretty(props.editing?.config ?? {}))
  const { busy, error, setError, run } = createSubmit()

  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    const parsed = parseJson(config())
    if (!parsed.ok) { setError(new Error(`Config: invalid JSON (${parsed.message})`)); return }
    void run(async () => { await props.onSubmit({ entity: entity(), scope: scope().trim(), config: parsed.value }) })
  }

  return (
    <form class='space-y-3 p-4' onSubmit={submit} data-testid='ui-config-form'>
      <div class='grid grid-cols-2 gap-3'>
        <FormField label='Entity' error={detailFor(error(), 'entity')}>
          <EntitySelect name='ui-config-entity' required value={entity()} entities={props.entities} onChange={setEntity} />
        </FormField>
        <FormField label='Scope' hint='e.g. default, mobile, list' error={detailFor(error(), 'scope')}>
          <Input name='ui-config-scope' class='font-mono' value={scope()} onInput={(e) => setScope(e.currentTarget.value)} />
        </FormField>
      </div>
      <FormField label='Config (a JSON object)' error={detailFor(error(), 'config')}>
        <JsonEditor name='ui-config-json' rows={14} value={config()} onInput={setConfig} />
      </FormField>
      <button type='button' class='text-xs text-neutral-600 underline' onClick={() => setConfig(pretty(EXAMPLE))}>Insert an example</button>
      <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='config' onCancel={() => { props.onCancel() }} />
    </form>
  )
}
