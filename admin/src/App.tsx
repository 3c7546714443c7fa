import { Navigate, Route, Router, useParams, type RouteSectionProps } from '@solidjs/router'
import { createEffect, type JSX } from 'solid-js'
import { Layout } from './components/Layout.js'
import { Toasts } from './components/Toasts.js'
import { AppsPage } from './pages/AppsPage.js'
import { DataBrowserPage } from './pages/records/DataBrowserPage.js'
import { EntitiesPage } from './pages/entities/EntitiesPage.js'
import { EntityEditorPage } from './pages/entities/EntityEditorPage.js'
import { LoginPage } from './pages/LoginPage.js'
import { RelationsPage } from './pages/relations/RelationsPage.js'
import { ApiKeysPage } from './pages/api-keys/ApiKeysPage.js'
import { AuditPage } from './pages/audit/AuditPage.js'
import { AuthProvidersPage } from './pages/auth-providers/AuthProvidersPage.js'
import { EventsPage } from './pages/events/EventsPage.js'
import { InvitesPage } from './pages/invites/InvitesPage.js'
import { MailTemplatesPage } from './pages/mail/MailTemplatesPage.js'
import { PermissionsPage } from './pages/permissions/PermissionsPage.js'
import { ExportImportPage } from './pages/schema-io/ExportImportPage.js'
import { UiConfigsPage } from './pages/ui-configs/UiConfigsPage.js'
import { UsersPage } from './pages/users/UsersPage.js'
import { WebhooksPage } from './pages/webhooks/WebhooksPage.js'
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
          <Route path='/users' component={UsersPage} />
          <Route path='/invites' component={InvitesPage} />
          <Route path='/auth-providers' component={AuthProvidersPage} />
          <Route path='/api-keys' component={ApiKeysPage} />
          <Route path='/mail-templates' component={MailTemplatesPage} />
          <Route path='/permissions' component={PermissionsPage} />
          <Route path='/webhooks' component={WebhooksPage} />
          <Route path='/export-import' component={ExportImportPage} />
          <Route path='/ui-configs' component={UiConfigsPage} />
          <Route path='/events' component={EventsPage} />
          <Route path='/audit' component={AuditPage} />
          <Route path='/rules' component={RulesPage} />
          <Route path='/state-machines' component={StateMachinesPage} />
          <Route path='/workflows' component={WorkflowsPage} />
        </Route>
        <Route path='*' component={Home} />
      </Route>
    </Router>
  )
}
