import { For, Index, Show, type JSX } from 'solid-js'
import { createStore, produce } from 'solid-js/store'
import { STEP_TYPES, type StepType, type WorkflowBody, type WorkflowRow } from '../../api/logic.js'
import type { EntityDef } from '../../api/types.js'
import { messageAt } from '../../components/form-errors.js'
import { EntitySelect, FormActions } from '../../components/form-parts.js'
import { createSubmit } from '../../components/forms.js'
import { Button, Card, Checkbox, FormField, Input, Select } from '../../components/ui.js'
import { StepEditor } from './StepEditor.js'
import { emptyStep, freshStepId, workflowBodyOf, workflowDraftOf, type WorkflowDraft } from './workflow-form.js'

export interface WorkflowBuilderProps {
  entities: EntityDef[]
  editing: WorkflowRow | null
  onSubmit: (body: WorkflowBody) => Promise<void>
  onCancel: () => void
}

/** Name, trigger, context mappings and the ordered steps of a workflow. */
export function WorkflowBuilder (props: WorkflowBuilderProps): JSX.Element {
  const [d, setD] = createStore<WorkflowDraft>(workflowDraftOf(props.editing))
  const { busy, error, run } = createSubmit()
  const err = (path: string): string | undefined => messageAt(error(), path, true)
  const entity = (): EntityDef | undefined => props.entities.find((e) => e.name === d.entity)
  const triggerField = (): EntityDef['fields'][number] | undefined => entity()?.fields.find((f) => f.name === d.field)

  const addStep = (type: StepType): void => {
    const base = { action: 'act', condition: 'check', approval: 'review', wait: 'pause' }[type]
    setD('steps', d.steps.length, emptyStep(type, freshStepId(d.steps, base)))
  }
  const move = (i: number, delta: -1 | 1): void => {
    setD('steps', produce((list) => {
      const [step] = list.splice(i, 1)
      if (step !== undefined) list.splice(i + delta, 0, step)
    }))
  }
  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    await run(async () => { await props.onSubmit(workflowBodyOf(d, triggerField()?.type)) })
  }

  return (
    <Card title={props.editing !== null ? `Edit workflow ${props.editing.name}` : 'New workflow'}>
      <form class='space-y-5 p-4' onSubmit={(e) => { void submit(e) }} data-testid='workflow-form'>
        <div class='grid gap-3 md:grid-cols-4'>
          <FormField label='Name' error={err('name')} class='md:col-span-1'>
            <Input name='workflow-name' value={d.name} onInput={(e) => setD('name', e.currentTarget.value)} />
          </FormField>
          <FormField label='Trigger entity' error={err('trigger.entity')}>
            <EntitySelect name='trigger-entity' value={d.entity} entities={props.entities} onChange={(v) => setD('entity', v)} />
          </FormField>
          <FormField label='Field' error={err('trigger.field')}>
            <Select name='trigger-field' value={d.field} onChange={(e) => setD('field', e.currentTarget.value)}>
              <option value=''>choose…</option>
              <For each={entity()?.fields ?? []}>{(f) => <option value={f.name}>{f.name}</option>}</For>
            </Select>
          </FormField>
          <FormField label='Changes to' hint='the value that starts an instance' error={err('trigger.to')}>
            <Show
              when={Array.isArray(triggerField()?.enum)}
              fallback={<Input name='trigger-to' class='font-mono' value={d.to} onInput={(e) => setD('to', e.currentTarget.value)} />}
            >
              <Select name='trigger-to' value={d.to} onChange={(e) => setD('to', e.currentTarget.value)}>
                <option value=''>choose…</option>
                <For each={(triggerField()?.enum ?? []).map(String)}>{(v) => <option value={v}>{v}</option>}</For>
              </Select>
            </Show>
          </FormField>
        </div>

        <section>
          <h3 class='mb-1 text-xs font-semibold uppercase tracking-wide text-neutral-500'>Context</h3>
          <p class='mb-2 text-xs text-neutral-500'>Values computed when an instance starts, from record, old, trigger and user; steps read them as context.&lt;key&gt;.</p>
          <div class='space-y-2' data-testid='workflow-context'>
            <Index each={d.context}>
              {(c, i) => (
                <div class='grid grid-cols-[12rem_1fr_auto] items-start gap-2'>
                  <Input name='context-key' class='font-mono' placeholder='key' value={c().key} onInput={(e) => setD('context', i, 'key', e.currentTarget.value)} />
                  <div>
                    <Input name='context-expression' class='font-mono' placeholder='record.id' aria-label='Context expression' value={c().expression} onInput={(e) => setD('context', i, 'expression', e.currentTarget.value)} />
                    <Show when={err(`context.${c().key}`)}>{(m) => <span class='mt-1 block text-xs text-red-600' role='alert'>{m()}</span>}</Show>
                  </div>
                  <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setD('context', (l) => l.filter((_, j) => j !== i))}>Remove</Button>
                </div>
              )}
            </Index>
            <Button size='sm' variant='secondary' onClick={() => setD('context', d.context.length, { key: '', expression: '' })}>+ Add context value</Button>
          </div>
        </section>

        <section>
          <h3 class='mb-2 text-xs font-semibold uppercase tracking-wide text-neutral-500'>Steps <span class='font-normal normal-case text-red-600'>{messageAt(error(), 'steps')}</span></h3>
          <ol class='space-y-3' data-testid='workflow-steps'>
            <Index each={d.steps}>
              {(step, i) => (
                <StepEditor
                  step={step()}
                  index={i}
                  count={d.steps.length}
                  ids={d.steps.map((s) => s.id)}
                  set={setD}
                  error={error()}
                  entities={props.entities.map((e) => e.name)}
                  onMove={(delta) => { move(i, delta) }}
                  onRemove={() => setD('steps', (l) => l.filter((_, j) => j !== i))}
                />
              )}
            </Index>
          </ol>
          <div class='mt-3 flex flex-wrap gap-2'>
            <For each={STEP_TYPES}>{(type) => <Button size='sm' variant='secondary' onClick={() => { addStep(type) }}>+ {type} step</Button>}</For>
          </div>
        </section>

        <Checkbox name='workflow-active' label='Active' checked={d.active} onChange={(v) => setD('active', v)} />
        <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='workflow' onCancel={() => { props.onCancel() }} dismiss='close' />
      </form>
    </Card>
  )
}
