import { Navigate, Route, Router, useParams, type RouteSectionProps } from '@solidjs/router'
import { createEffect, For, type JSX } from 'solid-js'
import { Layout } from './components/Layout'
import { APP_PAGES } from './components/nav'
import { Toasts } from './components/Toasts'
import { AppsPage } from './pages/AppsPage'
import { DataBrowserPage } from './pages/records/DataBrowserPage'
import { EntitiesPage } from './pages/entities/EntitiesPage'
import { EntityEditorPage } from './pages/entities/EntityEditorPage'
import { LoginPage } from './pages/LoginPage'
import { PlaceholderPage } from './pages/PlaceholderPage'
import { RelationsPage } from './pages/relations/RelationsPage'
import { selectApp, selectedApp, session } from './state/session'

function Shell (props: RouteSectionProps): JSX.Element {
  return <>{props.children}<Toasts /></>
}

/** Pages under /app/:app work on that app: the sidebar follows it. */
function AppScope (props: RouteSectionProps): JSX.Element {
  const params = useParams<{ app: string }>()
  createEffect(() => { if (selectedApp() !== params.app) selectApp(params.app) })
  return <>{props.children}</>
}

function Home (): JSX.Element {
  const app = selectedApp() ?? session()?.app ?? null
  return <Navigate href={app !== null ? `/app/${encodeURIComponent(app)}/entities` : '/apps'} />
}

/** Routes under the server's /admin/ base; unknown paths fall back to the home page. */
export function App (): JSX.Element {
  return (
    <Router base='/admin' root={Shell}>
      <Route path='/login' component={LoginPage} />
      <Route path='/' component={Layout}>
        <Route path='/' component={Home} />
        <Route path='/apps' component={AppsPage} />
        <Route path='/app/:app' component={AppScope}>
          <Route path='/' component={() => <Navigate href='entities' />} />
          <Route path='/entities' component={EntitiesPage} />
          <Route path='/entities/new' component={EntityEditorPage} />
          <Route path='/entities/:name' component={EntityEditorPage} />
          <Route path='/relations' component={RelationsPage} />
          <Route path='/data/:entity?' component={DataBrowserPage} />
          <For each={APP_PAGES.filter((p) => !p.ready)}>{(p) => <Route path={`/${p.path}`} component={PlaceholderPage} />}</For>
        </Route>
        <Route path='*' component={Home} />
      </Route>
    </Router>
  )
}
