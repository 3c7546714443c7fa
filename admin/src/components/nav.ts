/** Every page of SPEC §10 that works on one app, in sidebar order. `ready: false` pages arrive in the next phase. */
export interface NavItem {
  path: string
  label: string
  ready: boolean
}

export const APP_PAGES: readonly NavItem[] = [
  { path: 'entities', label: 'Entities', ready: true },
  { path: 'relations', label: 'Relations', ready: true },
  { path: 'data', label: 'Data browser', ready: true },
  { path: 'rules', label: 'Rules', ready: false },
  { path: 'state-machines', label: 'State machines', ready: false },
  { path: 'workflows', label: 'Workflows', ready: false },
  { path: 'users', label: 'Users', ready: true },
  { path: 'invites', label: 'Invites', ready: true },
  { path: 'permissions', label: 'Permissions', ready: true },
  { path: 'webhooks', label: 'Webhooks & deliveries', ready: true },
  { path: 'export-import', label: 'Export / import', ready: true },
  { path: 'ui-configs', label: 'UI configs', ready: true },
  { path: 'events', label: 'Events & traces', ready: true },
  { path: 'audit', label: 'Audit log', ready: true }
]

export const appPath = (app: string, page: string): string => `/app/${encodeURIComponent(app)}/${page}`
