import { Navigate, Route, Router, useParams, type RouteSectionProps } from '@solidjs/router'
import { createEffect, For, type JSX } from 'solid-js'
import { Layout } from './components/Layout.js'
import { APP_PAGES } from './components/nav.js'
import { Toasts } from './components/Toasts.js'
import { AppsPage } from './pages/AppsPage.js'
import { DataBrowserPage } from './pages/records/DataBrowserPage.js'
import { EntitiesPage } from './pages/entities/EntitiesPage.js'
import { EntityEditorPage } from './pages/entities/EntityEditorPage.js'
import { LoginPage } from './pages/LoginPage.js'
import { PlaceholderPage } from './pages/PlaceholderPage.js'
import { RelationsPage } from './pages/relations/RelationsPage.js'
import { RulesPage } from './pages/rules/RulesPage.js'
import { StateMachinesPage } from './pages/state-machines/StateMachinesPage.js'
import { WorkflowsPage } from './pages/workflows/WorkflowsPage.js'
import { selectApp, selectedApp, session } from './state/session.js'

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
          <Route path='/rules' component={RulesPage} />
          <Route path='/state-machines' component={StateMachinesPage} />
          <Route path='/workflows' component={WorkflowsPage} />
          <For each={APP_PAGES.filter((p) => !p.ready)}>{(p) => <Route path={`/${p.path}`} component={PlaceholderPage} />}</For>
        </Route>
        <Route path='*' component={Home} />
      </Route>
    </Router>
  )
}
