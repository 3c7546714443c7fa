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
  { path: 'rules', label: 'Rules', ready: true },
  { path: 'state-machines', label: 'State machines', ready: true },
  { path: 'workflows', label: 'Workflows', ready: true },
  { path: 'users', label: 'Users', ready: false },
  { path: 'invites', label: 'Invites', ready: false },
  { path: 'permissions', label: 'Permissions', ready: false },
  { path: 'webhooks', label: 'Webhooks & deliveries', ready: false },
  { path: 'export-import', label: 'Export / import', ready: false },
  { path: 'ui-configs', label: 'UI configs', ready: false },
  { path: 'events', label: 'Events & traces', ready: false }
]

export const appPath = (app: string, page: string): string => `/app/${encodeURIComponent(app)}/${page}`
