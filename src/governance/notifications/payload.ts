import { globToRegExp } from '../../core/index.ts'

/** The version of the webhook envelope; a change that could break a receiver gets a new one. */
export const PAYLOAD_VERSION = 1

/** Something worth telling people about, as governance code hands it to `notify`. */
export interface NotificationEvent {
  /** Dotted type, e.g. `request.pending`, `shadow.run`. */
  type: string
  /** The event's facts; never a secret or a token. */
  data: Record<string, unknown>
  /** When it happened (ISO 8601); default now. */
  occurredAt?: string
}

/** The body a `json` webhook receives (documented in docs/notifications.md). */
export interface NotificationPayload {
  version: typeof PAYLOAD_VERSION
  /** The event's id: the same for every webhook told of it, so receivers can drop a repeated delivery. */
  id: string
  type: string
  occurredAt: string
  data: Record<string, unknown>
}

/** How a webhook wants its messages. */
export type WebhookFormat = 'json' | 'slack'

/** A Slack-compatible message (incoming webhooks, and tools that accept their format). */
export interface SlackMessage {
  text: string
  blocks: Record<string, unknown>[]
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const link = (base: string, path: string) => new URL(path, base.endsWith('/') ? base : `${base}/`).href

function button(text: string, url: string, style?: 'primary' | 'danger'): Record<string, unknown> {
  return { type: 'button', text: { type: 'plain_text', text }, url, action_id: text.toLowerCase().replace(/\W+/g, '_'), ...(style ? { style } : {}) }
}

function requestMessage(payload: NotificationPayload, publicUrl: string): { text: string; buttons: Record<string, unknown>[] } {
  const d = payload.data
  const id = str(d.requestId) ?? str(d.id)
  const who = str(d.principal) ?? 'someone'
  const what = [str(d.action), str(d.dag) ?? str(d.dagId), str(d.environment) ? `in ${str(d.environment)}` : null].filter(Boolean).join(' ')
  const state = payload.type.slice('request.'.length).replace(/_/g, ' ')
  const reason = str(d.reason)
  const text = `Request ${id ?? ''} by ${who}: ${what || payload.type} (${state})${reason ? `. Reason: ${reason}` : ''}`
  if (!id) return { text, buttons: [] }
  const page = link(publicUrl, `requests/${encodeURIComponent(id)}`)
  // Links that open the console, where the person signs in and policy decides: never a URL that approves by itself.
  const buttons = payload.type === 'request.pending'
    ? [button('Approve…', page, 'primary'), button('Deny…', page, 'danger'), button('Open request', page)]
    : [button('Open request', page)]
  return { text, buttons }
}

function shadowMessage(payload: NotificationPayload, publicUrl: string): { text: string; buttons: Record<string, unknown>[] } {
  const d = payload.data
  const environment = str(d.environment) ?? '?'
  const target = [str(d.dagId), str(d.runId)].filter(Boolean).join('/')
  const text = `Shadow activity in ${environment}: ${payload.type.slice('shadow.'.length)}${target ? ` of ${target}` : ''}`
    + `${str(d.actor) ? ` by ${str(d.actor)}` : ''} (${str(d.severity) ?? 'info'}), done in Airflow without Conductor`
  return { text, buttons: [button('Open shadow activity', link(publicUrl, `environments/${encodeURIComponent(environment)}/shadow`))] }
}

/**
 * The Slack-compatible rendering of `payload`: a one-line `text` (notifications, fallbacks) and `blocks` with the
 * same line and link buttons to the console under `publicUrl` (`request.*` → `/requests/<id>`, with Approve… and
 * Deny… for a pending request; `shadow.*` → the environment's shadow activity). Buttons only open pages.
 */
export function slackMessage(payload: NotificationPayload, publicUrl: string): SlackMessage {
  const { text, buttons } = payload.type.startsWith('request.')
    ? requestMessage(payload, publicUrl)
    : payload.type.startsWith('shadow.')
      ? shadowMessage(payload, publicUrl)
      : { text: `Conductor: ${payload.type}`, buttons: [button('Open Conductor', link(publicUrl, ''))] }
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: escape(text) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escape(`${payload.type} · ${payload.occurredAt} · ${payload.id}`) }] },
  ]
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons })
  return { text: escape(text), blocks }
}

/** The request body for a webhook of `format`. */
export function renderBody(payload: NotificationPayload, format: WebhookFormat, publicUrl: string): string {
  return JSON.stringify(format === 'slack' ? slackMessage(payload, publicUrl) : payload)
}

/** Whether event `type` matches a webhook's `events` glob (`*` stands for any characters, `request.*`, `*`). */
export function matchesEvent(globs: readonly string[], type: string): boolean {
  return globs.some((glob) => globToRegExp(glob).test(type))
}
