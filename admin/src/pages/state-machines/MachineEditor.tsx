import { For, Show, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import type { MachineBody, MachineRow } from '../../api/logic.js'
import type { EntityDef } from '../../api/types.js'
import { messageAt } from '../../components/form-errors.js'
import { EntitySelect, FormActions } from '../../components/form-parts.js'
import { createSubmit } from '../../components/forms.js'
import { Card, Checkbox, FormField, Input, Select } from '../../components/ui.js'
import { diagramTransitions, machineBodyOf, machineDraftOf, type MachineDraft } from './machine-form.js'
import { StateDiagram } from './StateDiagram.js'
import { TransitionsEditor } from './TransitionsEditor.js'

export interface MachineEditorProps {
  entities: EntityDef[]
  editing: MachineRow | null
  onSubmit: (body: MachineBody) => Promise<void>
  onCancel: () => void
}

/** Entity, state field, initial state and transitions on the left; the live diagram on the right. */
export function MachineEditor (props: MachineEditorProps): JSX.Element {
  const [d, setD] = createStore<MachineDraft>(machineDraftOf(props.editing))
  const { busy, error, run } = createSubmit()
  const err = (path: string): string | undefined => messageAt(error(), path)
  // Only string and text fields can hold a state (lib/state-machines/compile.ts).
  const stateFields = (): string[] => props.entities.find((e) => e.name === d.entity)?.fields.filter((f) => f.type === 'string' || f.type === 'text').map((f) => f.name) ?? []
  const enumOf = (): string[] | null => {
    const f = props.entities.find((e) => e.name === d.entity)?.fields.find((x) => x.name === d.field)
    return Array.isArray(f?.enum) ? f.enum.map(String) : null
  }

  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    await run(async () => { await props.onSubmit(machineBodyOf(d)) })
  }

  return (
    <div class='grid gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]'>
      <Card title={props.editing !== null ? `Edit state machine on ${props.editing.entity}.${props.editing.field}` : 'New state machine'}>
        <form class='space-y-4 p-4' onSubmit={(e) => { void submit(e) }} data-testid='machine-form'>
          <div class='grid gap-3 md:grid-cols-3'>
            <FormField label='Entity' error={err('entity')}>
              <EntitySelect name='machine-entity' value={d.entity} entities={props.entities} onChange={(v) => setD('entity', v)} />
            </FormField>
            <FormField label='State field' hint='a string or text field' error={err('field')}>
              <Select name='machine-field' value={d.field} onChange={(e) => setD('field', e.currentTarget.value)}>
                <option value=''>choose…</option>
                <For each={stateFields()}>{(f) => <option value={f}>{f}</option>}</For>
              </Select>
            </FormField>
            <FormField label='Initial state' error={err('definition.initial')}>
              <Input name='machine-initial' class='font-mono' value={d.initial} onInput={(e) => setD('initial', e.currentTarget.value)} />
            </FormField>
          </div>
          <Show when={enumOf()}>{(values) => <p class='text-xs text-neutral-500'>States must be values of {d.field}: <span class='font-mono'>{values().join(', ')}</span></p>}</Show>
          <TransitionsEditor draft={d} set={setD} error={error()} entities={props.entities.map((e) => e.name)} />
          <Checkbox name='machine-active' label='Active (one active machine per field)' checked={d.active} onChange={(v) => setD('active', v)} />
          <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='state machine' onCancel={() => { props.onCancel() }} dismiss='close' />
        </form>
      </Card>
      <Card title='Diagram' class='self-start xl:sticky xl:top-4'>
        <StateDiagram initial={d.initial.trim()} transitions={diagramTransitions(d)} />
      </Card>
    </div>
  )
}
