/** The states of an owned schedule: `active` fires when due; `suspended` does not until resumed. */
export const SCHEDULE_STATES = ['active', 'suspended'] as const

/** One of {@link SCHEDULE_STATES}. */
export type ScheduleState = (typeof SCHEDULE_STATES)[number]

/** Why a schedule was suspended: by hand, its owner lost access (deprovisioned), or policy no longer lets its owner trigger. */
export const SUSPEND_REASONS = ['suspended_by_user', 'owner_deprovisioned', 'owner_not_allowed'] as const

/** One of {@link SUSPEND_REASONS}. */
export type SuspendReason = (typeof SUSPEND_REASONS)[number]

/** A row of `schedules` (migration 0018): one Conductor-held schedule of one DAG, triggering as its owner. */
export interface SchedulesTable {
  id: string
  environment: string
  dag_id: string
  owner_type: string
  owner_id: string
  /** A cron expression (with `timezone`), or null for an interval schedule. */
  cron: string | null
  /** The IANA time zone of `cron`; null for an interval schedule. */
  timezone: string | null
  /** Seconds between firings, counted from creation; null for a cron schedule. */
  interval_seconds: number | null
  /** JSON object: the run conf each firing passes. */
  conf: string
  description: string | null
  state: ScheduleState
  suspended_reason: string | null
  /** The due time of the next firing (ISO); moved forward by compare-and-set when a loop claims the firing. */
  next_fire_at: string
  /** The due time of the last firing claimed (ISO). */
  last_fired_at: string | null
  /** The `dag:trigger` request of the last firing (absent when it failed before one was recorded). */
  last_request_id: string | null
  created_by: string
  created_at: string
  updated_at: string
}

/** A row of `schedule_firings` (migration 0022): one per schedule and due time, claimed before the DAG is triggered. */
export interface ScheduleFiringsTable {
  schedule_id: string
  /** The due time fired (ISO). */
  due_at: string
  /** The `dag:trigger` request of the firing, its id given when claimed. */
  request_id: string
  /** JSON: what the firing asks (`conf`, `note`), fixed when claimed so a firing made again asks the same. */
  input: string
  /** `claimed` (under way), `fired`, `refused`, `failed`, or `abandoned` (left behind, and its schedule no longer active). */
  outcome: string
  at: string
}

/** The schedules tables. */
export interface ScheduleTables {
  schedules: SchedulesTable
  schedule_firings: ScheduleFiringsTable
}
