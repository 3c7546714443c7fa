import { For, Index, Match, Show, Switch, type JSX } from 'solid-js'
import type { SetStoreFunction } from 'solid-js/store'
import { ACTION_TYPES } from '../../api/logic.js'
import { messageAt } from '../form-errors.js'
import { ChoiceSelect } from '../form-parts.js'
import { Button, FormField, Input, Select, Textarea } from '../ui.js'
import { emptyAction, type ActionDraft } from './action-form.js'

export interface ActionsEditorProps {
  actions: ActionDraft[]
  /** Setter of the list in its owning store. */
  set: SetStoreFunction<ActionDraft[]>
  /** Path of the list in the API body, to find 422 details (`definition.transitions[0].actions`). */
  path: string
  error: unknown
  /** Workflow set_field actions may target another entity and record. */
  withTarget: boolean
  /** Entity names for create_record (and workflow set_field). */
  entities: string[]
  testId: string
}

/** The ordered actions of a transition or an action step, each with the inputs of its type. */
export function ActionsEditor (props: ActionsEditorProps): JSX.Element {
  const err = (i: number, key: string): string | undefined => messageAt(props.error, `${props.path}[${i}].${key}`, true)
  const text = (i: number, a: ActionDraft, key: keyof ActionDraft, label: string, hint?: string): JSX.Element => (
    <FormField label={label} hint={hint} error={err(i, key)}>
      <Input name={`action-${key}`} class='font-mono' value={a[key]} onInput={(e) => props.set(i, key, e.currentTarget.value)} />
    </FormField>
  )
  const json = (i: number, a: ActionDraft, key: 'data' | 'headers', label: string, hint: string): JSX.Element => (
    <FormField label={label} hint={hint} error={err(i, key)}>
      <Textarea name={`action-${key}`} rows={3} value={a[key]} onInput={(e) => props.set(i, key, e.currentTarget.value)} />
    </FormField>
  )
  const entitySelect = (i: number, a: ActionDraft, hint?: string): JSX.Element => (
    <FormField label='Entity' hint={hint} error={err(i, 'entity')}>
      <Select name='action-entity' value={a.entity} onChange={(e) => props.set(i, 'entity', e.currentTarget.value)}>
        <option value=''>{props.withTarget && a.type === 'set_field' ? "trigger's entity" : 'choose…'}</option>
        <For each={props.entities}>{(n) => <option value={n}>{n}</option>}</For>
      </Select>
    </FormField>
  )

  return (
    <div class='space-y-2' data-testid={props.testId}>
      <Index each={props.actions}>
        {(a, i) => (
          <div class='rounded-md border border-neutral-200 bg-neutral-50/60 p-3' data-testid={`${props.testId}-${i}`}>
            <div class='mb-2 flex items-center gap-2'>
              <ChoiceSelect name='action-type' class='!w-44' value={a().type} options={ACTION_TYPES} onChange={(v) => props.set(i, 'type', v)} />
              <span class='flex-1 text-xs text-red-600'>{err(i, 'type')}</span>
              <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => props.set((list) => list.filter((_, j) => j !== i))}>Remove</Button>
            </div>
            <div class='grid gap-2 md:grid-cols-2'>
              <Switch>
                <Match when={a().type === 'set_field'}>
                  <Show when={props.withTarget}>
                    {entitySelect(i, a())}
                    {text(i, a(), 'record_id', 'Record id (expression)', 'default: trigger.record_id')}
                  </Show>
                  {text(i, a(), 'field', 'Field')}
                  {text(i, a(), 'value', 'Value', 'JSON when it parses; "now" for the current time')}
                </Match>
                <Match when={a().type === 'create_record'}>
                  {entitySelect(i, a())}
                  {json(i, a(), 'data', 'Data (JSON)', '{"field": "expression"}; quote literals: "\'sent\'"')}
                </Match>
                <Match when={a().type === 'webhook'}>
                  {text(i, a(), 'url', 'URL')}
                  {text(i, a(), 'method', 'Method', 'default POST')}
                  {text(i, a(), 'webhook_id', 'or a webhook id')}
                  {text(i, a(), 'max_attempts', 'Max attempts', '1–10')}
                  {json(i, a(), 'headers', 'Headers (JSON)', '{"x-key": "value"}')}
                </Match>
                <Match when={a().type === 'send_event'}>
                  {text(i, a(), 'event', 'Event name')}
                  {json(i, a(), 'data', 'Data (JSON, optional)', 'sent with the event')}
                </Match>
              </Switch>
            </div>
          </div>
        )}
      </Index>
      <Button size='sm' variant='secondary' onClick={() => props.set(props.actions.length, emptyAction())}>+ Add action</Button>
    </div>
  )
}
