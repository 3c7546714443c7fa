import { api, apiData, request, type Query } from './client.js'
import type { FileInfo, ListEnvelope, RecordData } from './types.js'

const path = (app: string, entity: string, id?: string): string =>
  `/${encodeURIComponent(app)}/${encodeURIComponent(entity)}${id !== undefined ? `/${encodeURIComponent(id)}` : ''}`

/** `GET /api/:app/:entity` with `filter[f.op]`, `sort`, `page`, `per_page`, `include` already in `query`. */
export const listRecords = async (app: string, entity: string, query: Query): Promise<ListEnvelope<RecordData>> =>
  await api<ListEnvelope<RecordData>>(path(app, entity), { query })

export const getRecord = async (app: string, entity: string, id: string, include: string[] = []): Promise<RecordData> =>
  await apiData<RecordData>(path(app, entity, id), { query: { include: include.join(',') } })

export const createRecord = async (app: string, entity: string, body: RecordData): Promise<RecordData> =>
  await apiData<RecordData>(path(app, entity), { method: 'POST', body })

export const updateRecord = async (app: string, entity: string, id: string, body: RecordData): Promise<RecordData> =>
  await apiData<RecordData>(path(app, entity, id), { method: 'PUT', body })

export const deleteRecord = async (app: string, entity: string, id: string): Promise<void> => {
  await apiData<unknown>(path(app, entity, id), { method: 'DELETE' })
}

/** Multipart upload (field "file"); answers the stored file's facts. */
export async function uploadFile (app: string, file: File): Promise<FileInfo> {
  const form = new FormData()
  form.append('file', file)
  return await apiData<FileInfo>(`/${encodeURIComponent(app)}/_files/upload`, { method: 'POST', body: form })
}

/** Downloads a stored file with the bearer token (a plain link would not carry it). */
export async function downloadFile (app: string, file: FileInfo): Promise<void> {
  const res = await request(`/${encodeURIComponent(app)}/_files/${encodeURIComponent(file.id)}`)
  const href = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = href
  a.download = file.filename
  a.click()
  setTimeout(() => { URL.revokeObjectURL(href) }, 10_000)
}
