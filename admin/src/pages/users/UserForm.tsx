import { createSignal, Show, type JSX } from 'solid-js'
import type { AppUser } from '../../api/ops-types.js'
import { FormActions } from '../../components/form-parts.js'
import { createSubmit, detailFor, parseRoles } from '../../components/forms.js'
import { Checkbox, FormField, Input } from '../../components/ui.js'

/** The body of POST/PUT `/_admin/users`: the password only when typed (it is write-only). */
export interface UserBody {
  email: string
  roles: string[]
  active: boolean
  password?: string
}

/** Create a user, or edit one's email, roles, active flag and password. */
export function UserForm (props: { editing: AppUser | null, onSubmit: (body: UserBody) => Promise<void>, onCancel: () => void }): JSX.Element {
  const [email, setEmail] = createSignal(props.editing?.email ?? '')
  const [roles, setRoles] = createSignal((props.editing?.roles ?? []).join(', '))
  const [active, setActive] = createSignal(props.editing?.active ?? true)
  const [password, setPassword] = createSignal('')
  const { busy, error, run } = createSubmit()

  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    const body: UserBody = { email: email().trim(), roles: parseRoles(roles()), active: active() }
    if (password() !== '') body.password = password()
    void run(async () => { await props.onSubmit(body) })
  }

  return (
    <form class='space-y-3 p-4' onSubmit={submit} data-testid='user-form'>
      <FormField label='Email' error={detailFor(error(), 'email')}>
        <Input name='user-email' type='email' required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
      </FormField>
      <FormField
        label={props.editing !== null ? 'New password' : 'Password'}
        hint={props.editing !== null ? 'leave empty to keep the current one; a change ends the user’s other sessions' : 'write-only: never shown again'}
        error={detailFor(error(), 'password')}
      >
        <Input name='user-password' type='password' autocomplete='new-password' required={props.editing === null} value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
      </FormField>
      <FormField label='Roles' hint='comma or space separated, e.g. editor, viewer' error={detailFor(error(), 'roles')}>
        <Input name='user-roles' class='font-mono' value={roles()} onInput={(e) => setRoles(e.currentTarget.value)} />
      </FormField>
      <div>
        <Checkbox name='user-active' label='Active (an inactive user cannot sign in; their tokens are refused)' checked={active()} onChange={setActive} />
        <Show when={detailFor(error(), 'active')}>{(m) => <span class='block text-xs text-red-600'>{m()}</span>}</Show>
      </div>
      <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='user' onCancel={() => { props.onCancel() }} />
    </form>
  )
}
