import { useNavigate } from '@solidjs/router'
import { createResource, createSignal, Show, type JSX } from 'solid-js'
import { createApp, deleteApp, listApps } from '../api/platform.js'
import type { AppInfo } from '../api/types.js'
import { ErrorPanel } from '../components/ErrorPanel.js'
import { createSubmit } from '../components/forms.js'
import { useDeleteWithConfirm } from '../components/list-state.js'
import { appPath } from '../components/nav.js'
import { ConfirmDelete, ResourceTable, RowActions } from '../components/ResourceList.js'
import { Badge, Button, Card, FormField, Input, PageHeader, TD } from '../components/ui.js'
import { selectApp, selectedApp, session } from '../state/session.js'
import { toastSuccess } from '../state/toasts.js'

function CreateAppForm (props: { onCreated: (app: AppInfo) => void }): JSX.Element {
  const [name, setName] = createSignal('')
  const [display, setDisplay] = createSignal('')
  const { busy, error, run } = createSubmit()
  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    await run(async () => {
      const app = await createApp({ name: name().trim(), ...(display().trim() !== '' ? { display_name: display().trim() } : {}) })
      setName('')
      setDisplay('')
      toastSuccess(`App ${app.name} created`)
      props.onCreated(app)
    })
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
  const del = useDeleteWithConfirm<string>({
    remove: async (name) => { await deleteApp(name) },
    onDeleted: (name) => { if (selectedApp() === name) selectApp(null) },
    message: (name) => `App ${name} deleted`,
    refetch
  })

  const open = (name: string): void => {
    selectApp(name)
    navigate(appPath(name, 'entities'))
  }

  return (
    <>
      <PageHeader title='Apps' subtitle='Each app has its own database, users and schema.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_20rem]'>
        <Card>
          <ResourceTable testId='apps-table' columns={['Name', 'Display name', 'Status', 'Created']} actions items={!apps.loading || apps.latest !== undefined ? apps.latest ?? [] : undefined} error={apps.error} empty='No apps yet: create one.'>
            {(app) => (
              <tr data-testid={`app-row-${app.name}`} class={selectedApp() === app.name ? 'bg-neutral-50' : ''}>
                <TD class='font-mono font-medium'>{app.name}</TD>
                <TD>{app.display_name ?? '—'}</TD>
                <TD><Badge tone={app.status === 'active' ? 'green' : 'amber'}>{app.status}</Badge></TD>
                <TD class='text-neutral-500'>{app.created_at !== '' ? new Date(app.created_at).toLocaleString() : '—'}</TD>
                <RowActions onDelete={platform() ? () => { del.ask(app.name) } : undefined}>
                  <Button size='sm' variant='secondary' onClick={() => { open(app.name) }}>{selectedApp() === app.name ? 'Selected' : 'Select'}</Button>
                </RowActions>
              </tr>
            )}
          </ResourceTable>
        </Card>
        <Show when={platform()}>
          <CreateAppForm onCreated={() => { void refetch() }} />
        </Show>
      </div>
      <ConfirmDelete of={del} title={`Delete app ${del.target() ?? ''}?`} busy={del.busy()}>
        Its database, users, files and every record are dropped. This cannot be undone.
      </ConfirmDelete>
    </>
  )
}
