import { A, Navigate, useNavigate } from '@solidjs/router'
import { For, Show, type JSX, type ParentProps } from 'solid-js'
import { logout } from '../api/platform.js'
import { selectApp, selectedApp, session } from '../state/session.js'
import { APP_PAGES, appPath } from './nav.js'
import { Badge } from './ui.js'

const LINK = 'flex items-center justify-between rounded-md px-2.5 py-1.5 text-sm text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900'
const ACTIVE = '!bg-neutral-900 !text-white'

function Sidebar (): JSX.Element {
  const s = session
  return (
    <nav class='flex h-full w-60 shrink-0 flex-col border-r border-neutral-200 bg-white' aria-label='Main'>
      <div class='flex h-14 items-center gap-2 border-b border-neutral-200 px-4'>
        <span class='flex size-7 items-center justify-center rounded-md bg-neutral-900 text-sm font-bold text-white'>R</span>
        <span class='text-sm font-semibold'>Rocket admin</span>
      </div>
      <div class='flex-1 space-y-6 overflow-y-auto p-3'>
        <div>
          <p class='mb-1 px-2.5 text-xs font-medium uppercase tracking-wide text-neutral-400'>Platform</p>
          <A href='/apps' class={LINK} activeClass={ACTIVE}>{s()?.scope === 'app' ? 'App' : 'Apps'}</A>
        </div>
        <Show when={selectedApp()} fallback={<p class='px-2.5 text-xs text-neutral-500'>Select an app to manage its schema and data.</p>}>
          {(app) => (
            <div>
              <p class='mb-1 truncate px-2.5 text-xs font-medium uppercase tracking-wide text-neutral-400' data-testid='current-app'>{app()}</p>
              <ul class='space-y-0.5'>
                <For each={APP_PAGES}>
                  {(item) => (
                    <li>
                      <A href={appPath(app(), item.path)} class={LINK} activeClass={ACTIVE}>
                        {item.label}
                      </A>
                    </li>
                  )}
                </For>
                <li>
                  <a href={`/api/${encodeURIComponent(app())}/_docs`} target='_blank' rel='noopener noreferrer' class={LINK}>API docs <span aria-hidden='true'>↗</span></a>
                </li>
              </ul>
            </div>
          )}
        </Show>
      </div>
    </nav>
  )
}

function TopBar (): JSX.Element {
  const navigate = useNavigate()
  const signOut = async (): Promise<void> => {
    await logout()
    selectApp(null)
    navigate('/login', { replace: true })
  }
  return (
    <header class='flex h-14 items-center justify-end gap-3 border-b border-neutral-200 bg-white px-6'>
      <Show when={session()}>
        {(s) => (
          <>
            <Badge tone={s().scope === 'platform' ? 'blue' : 'amber'}>{s().scope === 'platform' ? 'platform' : `app ${s().app ?? ''}`}</Badge>
            <span class='text-sm text-neutral-600' data-testid='user-email'>{s().user.email}</span>
          </>
        )}
      </Show>
      <button type='button' class='rounded-md px-2.5 py-1.5 text-sm text-neutral-600 hover:bg-neutral-100' onClick={() => { void signOut() }}>Log out</button>
    </header>
  )
}

/** Signed-in shell: sidebar, top bar and the page. Without a session it sends to the login page. */
export function Layout (props: ParentProps): JSX.Element {
  return (
    <Show when={session() !== null} fallback={<Navigate href='/login' />}>
      <div class='flex h-screen overflow-hidden'>
        <Sidebar />
        <div class='flex min-w-0 flex-1 flex-col'>
          <TopBar />
          <main class='flex-1 overflow-y-auto px-6 py-6 lg:px-8'>{props.children}</main>
        </div>
      </div>
    </Show>
  )
}
