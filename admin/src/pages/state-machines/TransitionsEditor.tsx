import { Index, type JSX } from 'solid-js'
import type { SetStoreFunction } from 'solid-js/store'
import { messageAt } from '../../components/form-errors.js'
import { ActionsEditor } from '../../components/logic/ActionsEditor.js'
import { Button, FormField, Input } from '../../components/ui.js'
import { emptyTransition, type MachineDraft } from './machine-form.js'

/** The transitions of a machine, each with from (one or several states), to, roles, guard and actions. */
export function TransitionsEditor (props: { draft: MachineDraft, set: SetStoreFunction<MachineDraft>, error: unknown, entities: string[] }): JSX.Element {
  const err = (i: number, key: string): string | undefined => messageAt(props.error, `definition.transitions[${i}].${key}`, true)
  return (
    <div class='space-y-3' data-testid='transitions'>
      <Index each={props.draft.transitions}>
        {(t, i) => (
          <div class='rounded-lg border border-neutral-200 p-3' data-testid={`transition-${i}`}>
            <div class='mb-2 flex items-center justify-between'>
              <span class='text-xs font-semibold text-neutral-700'>Transition #{i + 1}</span>
              <span class='text-xs text-red-600'>{messageAt(props.error, `definition.transitions[${i}]`)}</span>
              <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => props.set('transitions', (list) => list.filter((_, j) => j !== i))}>Remove</Button>
            </div>
            <div class='grid gap-2 md:grid-cols-2'>
              <FormField label='From' hint='one state, or several separated by commas' error={err(i, 'from')}>
                <Input name='transition-from' class='font-mono' value={t().from} onInput={(e) => props.set('transitions', i, 'from', e.currentTarget.value)} />
              </FormField>
              <FormField label='To' error={err(i, 'to')}>
                <Input name='transition-to' class='font-mono' value={t().to} onInput={(e) => props.set('transitions', i, 'to', e.currentTarget.value)} />
              </FormField>
              <FormField label='Roles' hint='comma-separated; empty: anyone' error={err(i, 'roles')}>
                <Input name='transition-roles' class='font-mono' value={t().roles} onInput={(e) => props.set('transitions', i, 'roles', e.currentTarget.value)} />
              </FormField>
              <FormField label='Guard (expression)' hint='must be true for the transition' error={err(i, 'guard')}>
                <Input name='transition-guard' class='font-mono' value={t().guard} onInput={(e) => props.set('transitions', i, 'guard', e.currentTarget.value)} />
              </FormField>
            </div>
            <p class='mb-1 mt-3 text-xs font-medium text-neutral-600'>Actions</p>
            <ActionsEditor
              actions={t().actions}
              set={((...args: unknown[]) => (props.set as (...a: unknown[]) => void)('transitions', i, 'actions', ...args)) as SetStoreFunction<MachineDraft['transitions'][number]['actions']>}
              path={`definition.transitions[${i}].actions`}
              error={props.error}
              withTarget={false}
              entities={props.entities}
              testId={`transition-${i}-actions`}
            />
          </div>
        )}
      </Index>
      <Button size='sm' variant='secondary' onClick={() => props.set('transitions', props.draft.transitions.length, emptyTransition())}>+ Add transition</Button>
    </div>
  )
}
