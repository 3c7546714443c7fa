import { useNavigate } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { createApp, deleteApp, listApps } from '../api/platform.js'
import type { AppInfo } from '../api/types.js'
import { ConfirmDialog } from '../components/ConfirmDialog.js'
import { ErrorPanel } from '../components/ErrorPanel.js'
import { appPath } from '../components/nav.js'
import { Badge, Button, Card, Empty, FormField, Input, PageHeader, Table, TD, TH } from '../components/ui.js'
import { selectApp, selectedApp, session } from '../state/session.js'
import { toastError, toastSuccess } from '../state/toasts.js'

function CreateAppForm (props: { onCreated: (app: AppInfo) => void }): JSX.Element {
  const [name, setName] = createSignal('')
  const [display, setDisplay] = createSignal('')
  const [error, setError] = createSignal<unknown>(null)
  const [busy, setBusy] = createSignal(false)
  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const app = await createApp({ name: name().trim(), ...(display().trim() !== '' ? { display_name: display().trim() } : {}) })
      setName('')
      setDisplay('')
      toastSuccess(`App ${app.name} created`)
      props.onCreated(app)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Card title='New app'>
      <form class='space-y-3 p-4' onSubmit={(e) => { void submit(e) }} data-testid='create-app-form'>
        <FormField label='Name' hint='lowercase letters, digits and _; its own database'>
          <Input name='name' required pattern='[a-z][a-z0-9_]{0,62}' value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder='shop' />
        </FormField>
        <FormField label='Display name'>
          <Input name='display_name' value={display()} onInput={(e) => setDisplay(e.currentTarget.value)} placeholder='Shop' />
        </FormField>
        <ErrorPanel error={error()} />
        <Button type='submit' disabled={busy()}>{busy() ? 'Creating…' : 'Create app'}</Button>
      </form>
    </Card>
  )
}

/** Platform sessions: every app (create, select, delete). App sessions: the one app they belong to. */
export function AppsPage (): JSX.Element {
  const navigate = useNavigate()
  const platform = (): boolean => session()?.scope === 'platform'
  // The source is the scope name: a false source would stop createResource from fetching at all.
  const [apps, { refetch }] = createResource(() => session()?.scope, async (scope): Promise<AppInfo[]> => {
    if (scope === 'platform') return await listApps()
    const name = session()?.app ?? ''
    return [{ name, display_name: null, db_name: '', status: 'active', created_at: '', updated_at: '' }]
  })
  const [deleting, setDeleting] = createSignal<string | null>(null)
  const [busy, setBusy] = createSignal(false)

  const open = (name: string): void => {
    selectApp(name)
    navigate(appPath(name, 'entities'))
  }
  const remove = async (): Promise<void> => {
    const name = deleting()
    if (name === null) return
    setBusy(true)
    try {
      await deleteApp(name)
      if (selectedApp() === name) selectApp(null)
      toastSuccess(`App ${name} deleted`)
      setDeleting(null)
      await refetch()
    } catch (err) {
      toastError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <PageHeader title='Apps' subtitle='Each app has its own database, users and schema.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_20rem]'>
        <Card>
          <Show when={!apps.loading || apps.latest !== undefined} fallback={<Empty>Loading…</Empty>}>
            <ErrorPanel error={apps.error} />
            <Table testId='apps-table' head={<tr><TH>Name</TH><TH>Display name</TH><TH>Status</TH><TH>Created</TH><TH class='text-right'>Actions</TH></tr>}>
              <For each={apps.latest} fallback={<tr><td colspan='5'><Empty>No apps yet: create one.</Empty></td></tr>}>
                {(app) => (
                  <tr data-testid={`app-row-${app.name}`} class={selectedApp() === app.name ? 'bg-neutral-50' : ''}>
                    <TD class='font-mono font-medium'>{app.name}</TD>
                    <TD>{app.display_name ?? '—'}</TD>
                    <TD><Badge tone={app.status === 'active' ? 'green' : 'amber'}>{app.status}</Badge></TD>
                    <TD class='text-neutral-500'>{app.created_at !== '' ? new Date(app.created_at).toLocaleString() : '—'}</TD>
                    <TD class='space-x-2 text-right whitespace-nowrap'>
                      <Button size='sm' variant='secondary' onClick={() => { open(app.name) }}>{selectedApp() === app.name ? 'Selected' : 'Select'}</Button>
                      <Show when={platform()}>
                        <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(app.name)}>Delete</Button>
                      </Show>
                    </TD>
                  </tr>
                )}
              </For>
            </Table>
          </Show>
        </Card>
        <Show when={platform()}>
          <CreateAppForm onCreated={() => { void refetch() }} />
        </Show>
      </div>
      <ConfirmDialog open={deleting() !== null} title={`Delete app ${deleting() ?? ''}?`} busy={busy()} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        Its database, users, files and every record are dropped. This cannot be undone.
      </ConfirmDialog>
    </>
  )
}
