// Query-power endpoints the admin UI uses (docs/QUERYING.md): aggregates and index status.
import { apiData, type Query } from './client.js'

const enc = encodeURIComponent

/** One group of `GET /:entity/_aggregate`: the group fields, `count`, and `sum: {field}` etc. */
export type AggregateGroup = Record<string, unknown> & { count?: number, sum?: Record<string, string | null> }

export const aggregateRecords = async (app: string, entity: string, query: Query): Promise<AggregateGroup[]> =>
  await apiData<AggregateGroup[]>(`/${enc(app)}/${enc(entity)}/_aggregate`, { query })

/** A declared index as `GET /_admin/entities/:name/indexes` reports it. */
export interface IndexStatusRow {
  name: string
  fields: string[]
  unique: boolean
  status: 'building' | 'ready' | 'failed'
  error?: string
}

export const listIndexes = async (app: string, entity: string): Promise<IndexStatusRow[]> =>
  await apiData<IndexStatusRow[]>(`/${enc(app)}/_admin/entities/${enc(entity)}/indexes`)
