import { useNavigate } from '@solidjs/router'
import { createSignal, Show, type JSX } from 'solid-js'
import { login } from '../api/platform.js'
import { ErrorPanel } from '../components/ErrorPanel.js'
import { createSubmit } from '../components/forms.js'
import { appPath } from '../components/nav.js'
import { Button, FormField, Input } from '../components/ui.js'
import { selectApp, selectedApp } from '../state/session.js'

/** Sign in as a platform user (every app) or as a user of one app. */
export function LoginPage (): JSX.Element {
  const navigate = useNavigate()
  const [scope, setScope] = createSignal<'platform' | 'app'>('platform')
  const [app, setApp] = createSignal(selectedApp() ?? '')
  const [email, setEmail] = createSignal('')
  const [password, setPassword] = createSignal('')
  const { busy, error, run } = createSubmit()

  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    await run(async () => {
      const appName = scope() === 'app' ? app().trim() : null
      await login({ email: email().trim(), password: password() }, appName)
      if (appName !== null) {
        selectApp(appName)
        navigate(appPath(appName, 'entities'), { replace: true })
      } else {
        navigate('/apps', { replace: true })
      }
    })
  }

  const tab = (value: 'platform' | 'app', label: string): JSX.Element => (
    <button
      type='button'
      role='tab'
      aria-selected={scope() === value}
      class={`flex-1 rounded-md px-3 py-1.5 text-sm font-medium ${scope() === value ? 'bg-white text-neutral-900 shadow-sm' : 'text-neutral-500 hover:text-neutral-800'}`}
      onClick={() => { setScope(value) }}
    >{label}
    </button>
  )

  return (
    <div class='flex min-h-screen items-center justify-center bg-neutral-100 p-4'>
      <div class='w-full max-w-sm'>
        <div class='mb-6 flex items-center justify-center gap-2'>
          <span class='flex size-9 items-center justify-center rounded-lg bg-neutral-900 font-bold text-white'>R</span>
          <span class='text-lg font-semibold'>Rocket admin</span>
        </div>
        <form class='space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-neutral-200' onSubmit={(e) => { void submit(e) }}>
          <div class='flex gap-1 rounded-lg bg-neutral-100 p-1' role='tablist' aria-label='Sign in as'>
            {tab('platform', 'Platform')}
            {tab('app', 'App user')}
          </div>
          <Show when={scope() === 'app'}>
            <FormField label='App'>
              <Input name='app' required value={app()} onInput={(e) => setApp(e.currentTarget.value)} placeholder='shop' autocomplete='off' />
            </FormField>
          </Show>
          <FormField label='Email'>
            <Input name='email' type='email' required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} autocomplete='username' />
          </FormField>
          <FormField label='Password'>
            <Input name='password' type='password' required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete='current-password' />
          </FormField>
          <ErrorPanel error={error()} />
          <Button type='submit' class='w-full' disabled={busy()}>{busy() ? 'Signing in…' : 'Sign in'}</Button>
        </form>
      </div>
    </div>
  )
}
