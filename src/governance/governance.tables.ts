import type { NotificationTables } from './notifications/notifications.tables.ts'
import type { ShadowTables } from './shadow/shadow.tables.ts'

/** A row of `requests`: one attempted action, its decision, dispatch and result. */
export interface RequestsTable {
  id: string
  created_at: string
  updated_at: string
  principal_type: string
  principal_id: string
  issuer: string
  /** JSON array of the principal's groups at that moment. */
  principal_groups: string
  action: string
  environment: string
  dag_id: string | null
  run_id: string | null
  /** JSON object: the action's input (conf, note, reason, paused…). */
  input: string
  decision: string
  policy_ids: string
  reasons: string
  policy_version: number
  state: string
  error_code: string | null
  error_message: string | null
  http_request_id: string | null
  /** JSON {@link ApprovalRequirement} while the request waits for (or got) approval; absent or null otherwise. */
  approval?: string | null
  /** When a pending request expires (ISO). */
  expires_at?: string | null
  /** SHA-256 (hex) of the canonical input the approval is bound to. */
  input_hash?: string | null
}

/** A row of `approvals`: one approver's verdict on one request. */
export interface ApprovalsTable {
  request_id: string
  approver_type: string
  approver_id: string
  /** JSON array of the approver's groups at that moment. */
  approver_groups: string
  verdict: 'approve' | 'deny'
  comment: string | null
  created_at: string
}

/** A row of `catalog_dags`: a DAG discovered in an environment. */
export interface CatalogDagsTable {
  environment: string
  dag_id: string
  description: string | null
  tags: string
  owners: string
  paused: number
  schedule: string | null
  synced_at: string
  /** The DAG's team (Airflow 3 multi-team); null when Airflow names none. */
  team: string | null
  /** JSON array of the run types Airflow allows (`allowed_run_types`, Airflow 3.2+); null: every type. */
  allowed_run_types: string | null
}

/** A row of `environment_status`: the last health check and catalog sync of an environment. */
export interface EnvironmentStatusTable {
  environment: string
  reachable: number
  version: string | null
  dag_count: number
  last_sync_at: string | null
  last_error: string | null
  checked_at: string
}

/** A row of `principals`: who has been seen, with their groups at last sight. */
export interface PrincipalsTable {
  type: string
  id: string
  issuer: string
  subject: string
  display_name: string | null
  email: string | null
  groups: string
  /** JSON array of the groups the principal's token claimed, before mapping (SCIM drift is measured against these). */
  idp_groups: string
  first_seen_at: string
  last_seen_at: string
}

/** The governance tables (shadow activity's and the notification outbox among them, so `notify` can join a governance transaction). */
export interface GovernanceTables extends NotificationTables, ShadowTables {
  requests: RequestsTable
  catalog_dags: CatalogDagsTable
  environment_status: EnvironmentStatusTable
  principals: PrincipalsTable
  approvals: ApprovalsTable
}

