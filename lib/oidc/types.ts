// Shapes of federated login shared with the admin UI: free of server code (admin/src imports them).

/** A provider as the admin API shows it: the client secret only as `has_secret`. */
export interface ProviderRecord {
  id: string
  name: string
  issuer: string
  client_id: string
  has_secret: boolean
  scopes: string[]
  default_roles: string[]
  allowed_domains: string[] | null
  redirect_url: string
  active: boolean
  callback_path: string
  created_at: Date
  updated_at: Date
}
