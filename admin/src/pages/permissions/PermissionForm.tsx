import { createSignal, For, Show, type JSX } from 'solid-js'
import { CONDITION_OPERATORS, PERMISSION_ACTIONS, USER_REF_PREFIX, USER_REFS, type Permission, type PermissionAction } from '../../api/ops-types.js'
import type { EntityDef } from '../../api/types.js'
import { EntitySelect, FormActions } from '../../components/form-parts.js'
import { createSubmit, detailFor, parseJson, parseRoles, pretty } from '../../components/forms.js'
import { JsonEditor } from '../../components/JsonEditor.js'
import { FormField, Input } from '../../components/ui.js'
import { FieldPicker } from './FieldPicker.js'

export interface PermissionBody {
  entity: string
  action: PermissionAction
  roles: string[]
  conditions: unknown
  /** null = every field (also what a delete policy always sends). */
  fields: string[] | null
}

const EXAMPLE = [{ field: 'owner_id', operator: 'eq', value: `${USER_REF_PREFIX}id` }]

/**
 * A policy: entity, action, roles and conditions (a JSON array of {field, operator, value};
 * a value may be `$user.id` / `$user.email`, the caller's own). When creating, several actions
 * can be ticked: one policy is saved per action.
 */
export function PermissionForm (props: { entities: EntityDef[], editing: Permission | null, onSubmit: (bodies: PermissionBody[]) => Promise<void>, onCancel: () => void }): JSX.Element {
  const [entity, setEntity] = createSignal(props.editing?.entity ?? '')
  const [actions, setActions] = createSignal<PermissionAction[]>(props.editing !== null ? [props.editing.action] : ['read'])
  const [roles, setRoles] = createSignal((props.editing?.roles ?? []).join(', '))
  const [conditions, setConditions] = createSignal(pretty(props.editing?.conditions ?? []))
  const [picked, setPicked] = createSignal<string[]>(props.editing?.fields ?? [])
  const { busy, error, setError, run } = createSubmit()
  const toggle = (a: PermissionAction, on: boolean): void => {
    if (props.editing !== null) setActions([a])
    else setActions((list) => on ? [...list.filter((x) => x !== a), a] : list.filter((x) => x !== a))
  }
  const fields = (): string[] => props.entities.find((e) => e.name === entity())?.fields.map((f) => f.name) ?? []

  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    const parsed = conditions().trim() === '' ? { ok: true as const, value: [] } : parseJson(conditions())
    if (!parsed.ok) { setError(new Error(`Conditions: invalid JSON (${parsed.message})`)); return }
    if (actions().length === 0) { setError(new Error('Tick at least one action')); return }
    const base = { entity: entity(), roles: parseRoles(roles()), conditions: parsed.value }
    // Nothing ticked: every field. A delete removes whole rows, so it never carries fields.
    const chosen = picked().filter((f) => fields().includes(f))
    const fieldsOf = (action: PermissionAction): string[] | null => (action === 'delete' || chosen.length === 0 ? null : chosen)
    void run(async () => { await props.onSubmit(actions().map((action) => ({ ...base, action, fields: fieldsOf(action) }))) })
  }

  return (
    <form class='space-y-3 p-4' onSubmit={submit} data-testid='permission-form'>
      <FormField label='Entity' error={detailFor(error(), 'entity')}>
        <EntitySelect name='permission-entity' required value={entity()} entities={props.entities} onChange={(name) => { setEntity(name); setPicked([]) }} />
      </FormField>
      <FormField label={props.editing !== null ? 'Action' : 'Actions (one policy each)'} error={detailFor(error(), 'action')}>
        <div class='flex flex-wrap gap-4 py-1'>
          <For each={PERMISSION_ACTIONS}>
            {(a) => (
              <label class='inline-flex items-center gap-1.5 text-sm'>
                <input type={props.editing !== null ? 'radio' : 'checkbox'} name={`permission-action-${a}`} class='accent-neutral-900' checked={actions().includes(a)} onChange={(e) => { toggle(a, e.currentTarget.checked) }} />
                {a}
              </label>
            )}
          </For>
        </div>
      </FormField>
      <FormField label='Roles' hint='comma or space separated; a user needs one of them' error={detailFor(error(), 'roles')}>
        <Input name='permission-roles' class='font-mono' value={roles()} onInput={(e) => setRoles(e.currentTarget.value)} />
      </FormField>
      <Show when={fields().length > 0}>
        <FormField label='Fields' hint='read: returned; create/update: writable. None ticked: every field. Not used by delete.' error={detailFor(error(), 'fields')}>
          <FieldPicker fields={fields()} picked={picked()} onChange={setPicked} />
        </FormField>
      </Show>
      <FormField label='Conditions' error={detailFor(error(), 'conditions')}>
        <JsonEditor name='permission-conditions' rows={7} value={conditions()} onInput={setConditions} allowEmpty />
      </FormField>
      <div class='rounded-md bg-neutral-50 p-2.5 text-xs text-neutral-600 ring-1 ring-neutral-200'>
        An array of <code class='font-mono'>{'{field, operator, value}'}</code>, all of which must hold (empty: every record).
        Operators: <span class='font-mono'>{CONDITION_OPERATORS.join(', ')}</span>. A value may be
        <For each={USER_REFS}>{(r) => <code class='ml-1 font-mono'>{USER_REF_PREFIX}{r}</code>}</For> (the signed-in user's).
        <Show when={fields().length > 0}><span class='block'>Fields: <span class='font-mono'>{fields().join(', ')}</span></span></Show>
        <button type='button' class='mt-1 block text-neutral-900 underline' onClick={() => setConditions(pretty(EXAMPLE))}>Insert an owner-only example</button>
      </div>
      <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='policy' onCancel={() => { props.onCancel() }} />
    </form>
  )
}
