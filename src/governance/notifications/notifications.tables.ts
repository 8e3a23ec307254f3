/** A row of `notification_outbox`: one event waiting for (or done with) delivery to one webhook. */
export interface NotificationOutboxTable {
  id: string
  /** The webhook's name in `notifications.webhooks`. */
  webhook: string
  event_type: string
  /** JSON: the versioned envelope `{ version, id, type, occurredAt, data }`, rendered per the webhook's format when sent. */
  payload: string
  /** Attempts started so far (a claim counts as one, so a crash mid-delivery is not retried for ever). */
  attempts: number
  /** When the row is next due; while an attempt is under way, when its claim lapses. ISO 8601. */
  next_attempt_at: string
  delivered_at: string | null
  /** When delivery was given up (after the last attempt, or when the webhook is no longer configured). */
  failed_at: string | null
  /** Why the last attempt failed: the receiver's status or a network error code, never a secret. */
  last_error: string | null
  created_at: string
}

/** The notification tables. */
export interface NotificationTables {
  notification_outbox: NotificationOutboxTable
}
