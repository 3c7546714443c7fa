import { For, Match, Show, Switch, type JSX } from 'solid-js'
import type { SetStoreFunction } from 'solid-js/store'
import { messageAt } from '../../components/form-errors.js'
import { ActionsEditor } from '../../components/logic/ActionsEditor.js'
import type { ActionDraft } from '../../components/logic/action-form.js'
import { Badge, Button, FormField, Input, Select } from '../../components/ui.js'
import type { StepDraft, WorkflowDraft } from './workflow-form.js'

export interface StepEditorProps {
  step: StepDraft
  index: number
  count: number
  /** Every step id, for the goto pickers. */
  ids: string[]
  set: SetStoreFunction<WorkflowDraft>
  error: unknown
  entities: string[]
  onMove: (delta: -1 | 1) => void
  onRemove: () => void
}

const TONES = { action: 'blue', condition: 'amber', approval: 'green', wait: 'neutral' } as const

/** One step of the builder with the inputs of its type; gotos pick a step id or end. */
export function StepEditor (props: StepEditorProps): JSX.Element {
  const at = (): string => `steps[${props.index}]`
  const err = (key: string): string | undefined => messageAt(props.error, `${at()}.${key}`, true)
  const setKey = (key: keyof StepDraft, value: string): void => { props.set('steps', props.index, key as 'id', value) }
  const text = (key: keyof StepDraft, label: string, hint?: string): JSX.Element => (
    <FormField label={label} hint={hint} error={err(key)}>
      <Input name={`step-${key}`} class='font-mono' value={props.step[key] as string} onInput={(e) => setKey(key, e.currentTarget.value)} />
    </FormField>
  )
  const gotoSelect = (key: keyof StepDraft, label: string, fallback: string): JSX.Element => (
    <FormField label={label} error={err(key)}>
      <Select name={`step-${key}`} value={props.step[key] as string} onChange={(e) => setKey(key, e.currentTarget.value)}>
        <option value=''>{fallback}</option>
        <For each={props.ids.filter((id) => id !== props.step.id && id !== '')}>{(id) => <option value={id}>{id}</option>}</For>
        <option value='end'>end</option>
      </Select>
    </FormField>
  )
  const setActions = ((...args: unknown[]) => (props.set as (...a: unknown[]) => void)('steps', props.index, 'actions', ...args)) as SetStoreFunction<ActionDraft[]>

  return (
    <li class='rounded-lg border border-neutral-200 bg-white p-3' data-testid={`step-${props.index}`}>
      <div class='mb-3 flex flex-wrap items-center gap-2'>
        <span class='font-mono text-xs text-neutral-400'>{props.index + 1}.</span>
        <Badge tone={TONES[props.step.type]}>{props.step.type}</Badge>
        <Input name='step-id' class='!w-48 font-mono' value={props.step.id} onInput={(e) => setKey('id', e.currentTarget.value)} aria-label='Step id' />
        <span class='flex-1 text-xs text-red-600'>{messageAt(props.error, `${at()}.id`) ?? messageAt(props.error, at())}</span>
        <Button size='sm' variant='ghost' disabled={props.index === 0} onClick={() => { props.onMove(-1) }} aria-label='Move up'>↑</Button>
        <Button size='sm' variant='ghost' disabled={props.index === props.count - 1} onClick={() => { props.onMove(1) }} aria-label='Move down'>↓</Button>
        <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => { props.onRemove() }}>Remove</Button>
      </div>
      <Switch>
        <Match when={props.step.type === 'action'}>
          <ActionsEditor actions={props.step.actions} set={setActions} path={`${at()}.actions`} error={props.error} withTarget entities={props.entities} testId={`step-${props.index}-actions`} />
          <div class='mt-2 grid gap-2 md:grid-cols-2'>{gotoSelect('then', 'Then', 'next step')}</div>
        </Match>
        <Match when={props.step.type === 'condition'}>
          {text('expression', 'Expression', 'over record, old, trigger, context, user')}
          <div class='mt-2 grid gap-2 md:grid-cols-2'>
            {gotoSelect('on_true', 'On true', 'choose…')}
            {gotoSelect('on_false', 'On false', 'choose…')}
          </div>
        </Match>
        <Match when={props.step.type === 'approval'}>
          <div class='grid gap-2 md:grid-cols-3'>
            <FormField label='Assignee' error={err('assignee')}>
              <Select name='step-assignee-type' value={props.step.assigneeType} onChange={(e) => setKey('assigneeType', e.currentTarget.value)}>
                <option value='role'>a role</option>
                <option value='user'>a user</option>
                <option value='admins'>admins only</option>
              </Select>
            </FormField>
            <Show when={props.step.assigneeType !== 'admins'} fallback={<div />}>
              <Show when={props.step.assigneeType === 'role'} fallback={text('user_id', 'User id')}>{text('role', 'Role')}</Show>
            </Show>
            {text('timeout', 'Timeout', 'e.g. 48h, 30m, 2d; empty: none')}
            {gotoSelect('on_approve', 'On approve', 'choose…')}
            {gotoSelect('on_reject', 'On reject', 'choose…')}
            {gotoSelect('on_timeout', 'On timeout', 'none')}
          </div>
        </Match>
        <Match when={props.step.type === 'wait'}>
          <div class='grid gap-2 md:grid-cols-2'>
            {text('duration', 'Duration', 'e.g. 30m, 48h, 2d')}
            {gotoSelect('then', 'Then', 'next step')}
          </div>
        </Match>
      </Switch>
    </li>
  )
}
