import type { ActionDef, ActionType } from '../../api/logic.js'
import { looseValue, parseJsonText, valueText } from '../form-values.js'

/** One action being edited: every key of every action type as text; `actionOf` keeps those of its type. */
export interface ActionDraft {
  type: ActionType
  entity: string
  record_id: string
  field: string
  value: string
  data: string
  url: string
  method: string
  headers: string
  max_attempts: string
  webhook_id: string
  event: string
}

export function emptyAction (type: ActionType = 'set_field'): ActionDraft {
  return { type, entity: '', record_id: '', field: '', value: '', data: '', url: '', method: '', headers: '', max_attempts: '', webhook_id: '', event: '' }
}

const str = (v: unknown): string => typeof v === 'string' ? v : ''
const json = (v: unknown): string => v === undefined ? '' : JSON.stringify(v, null, 2)

export function actionDraftOf (a: ActionDef): ActionDraft {
  return {
    type: a.type,
    entity: str(a.entity),
    record_id: str(a.record_id),
    field: str(a.field),
    value: valueText(a.value),
    data: json(a.data),
    url: str(a.url),
    method: str(a.method),
    headers: json(a.headers),
    max_attempts: a.max_attempts === undefined ? '' : String(a.max_attempts),
    webhook_id: str(a.webhook_id),
    event: str(a.event)
  }
}

/**
 * The action as the API takes it. `set_field` values are JSON when they parse (`"now"` stays a
 * string); `data` and `headers` are JSON objects. `withTarget` adds the workflow-only
 * `entity`/`record_id` of set_field. Throws on malformed JSON, naming the input.
 */
export function actionOf (d: ActionDraft, at: string, withTarget: boolean): ActionDef {
  const out: ActionDef = { type: d.type }
  const put = (key: string, value: string): void => { if (value.trim() !== '') out[key] = value.trim() }
  switch (d.type) {
    case 'set_field':
      if (withTarget) { put('entity', d.entity); put('record_id', d.record_id) }
      put('field', d.field)
      out.value = looseValue(d.value)
      break
    case 'create_record':
      put('entity', d.entity)
      out.data = parseJsonText(d.data, `${at}.data`) ?? {}
      break
    case 'webhook': {
      put('webhook_id', d.webhook_id)
      put('url', d.url)
      put('method', d.method)
      const headers = parseJsonText(d.headers, `${at}.headers`)
      if (headers !== undefined) out.headers = headers
      if (d.max_attempts.trim() !== '') out.max_attempts = Number(d.max_attempts)
      break
    }
    case 'send_event': {
      put('event', d.event)
      const data = parseJsonText(d.data, `${at}.data`)
      if (data !== undefined) out.data = data
      break
    }
  }
  return out
}

/** A short description of an action for lists and diagrams. */
export function actionLabel (a: ActionDef): string {
  switch (a.type) {
    case 'set_field': return `set ${str(a.field)} = ${valueText(a.value)}`
    case 'create_record': return `create ${str(a.entity)}`
    case 'webhook': return `webhook ${str(a.url) || str(a.webhook_id)}`
    case 'send_event': return `event ${str(a.event)}`
  }
}
