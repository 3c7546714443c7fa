/** Every admin UI page that works on one app (docs/ARCHITECTURE.md, "Admin UI"), in sidebar order. */
export interface NavItem {
  path: string
  label: string
}

export const APP_PAGES: readonly NavItem[] = [
  { path: 'entities', label: 'Entities' },
  { path: 'relations', label: 'Relations' },
  { path: 'data', label: 'Data browser' },
  { path: 'rules', label: 'Rules' },
  { path: 'state-machines', label: 'State machines' },
  { path: 'workflows', label: 'Workflows' },
  { path: 'users', label: 'Users' },
  { path: 'invites', label: 'Invites' },
  { path: 'auth-providers', label: 'Auth providers' },
  { path: 'api-keys', label: 'API keys' },
  { path: 'mail-templates', label: 'Mail templates' },
  { path: 'permissions', label: 'Permissions' },
  { path: 'webhooks', label: 'Webhooks & deliveries' },
  { path: 'export-import', label: 'Export / import' },
  { path: 'ui-configs', label: 'UI configs' },
  { path: 'events', label: 'Events & traces' },
  { path: 'audit', label: 'Audit log' }
]

export const appPath = (app: string, page: string): string => `/app/${encodeURIComponent(app)}/${page}`
