/* What a link's firing is made of: the source event it answers, and the firing as claimed. */

/** One thing that happened at a link's source: a successful run, or an asset event. */
export interface SourceEvent {
  /** The claim key: the run id, or Airflow's id of the asset event. */
  key: string
  /** When it happened (the run's end date, the event's timestamp): the cursor moves to it. */
  at: string
  /** What the conf template's `{{source.*}}` are filled with. */
  placeholders: Record<string, string | null>
  /** What the firing's audit event says of it. */
  audit: Record<string, unknown>
  /** How a suspension or failure names it: `{ sourceRunId }` or `{ sourceAssetEventId }`. */
  ref: { sourceRunId: string } | { sourceAssetEventId: string }
  /** The run note (or nothing to say) of a trigger it causes. */
  note: string
}

/**
 * A firing as claimed (stored as `link_firings.input`): the id of the request it makes, and everything it asks, fixed at
 * the claim, so that making it again after a crash asks exactly the same.
 */
export interface ClaimedFiring {
  requestId: string
  /** The filled conf template: the run's conf, or the asset event's `extra`. */
  filled: unknown
  note: string
  ref: SourceEvent['ref']
  audit: SourceEvent['audit']
}
