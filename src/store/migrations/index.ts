import type { Migration } from 'kysely/migration'
import * as m0001 from './0001-audit.ts'
import * as m0002 from './0002-governance.ts'
import * as m0003 from './0003-sessions.ts'
import * as m0005 from './0005-revocations.ts'
import * as m0006 from './0006-scim.ts'
import * as m0007 from './0007-request-states.ts'
import * as m0008 from './0008-idempotency.ts'
import * as m0009 from './0009-shadow.ts'
import * as m0010 from './0010-airflow-sign-in.ts'
import * as m0011 from './0011-approvals.ts'
import * as m0012 from './0012-notifications.ts'
import * as m0013 from './0013-grants.ts'
import * as m0014 from './0014-service-accounts.ts'
import * as m0015 from './0015-service-account-trusts.ts'
import * as m0017 from './0017-leases.ts'
import * as m0018 from './0018-schedules.ts'
import * as m0019 from './0019-dag-run-types.ts'
import * as m0020 from './0020-links.ts'
import * as m0021 from './0021-environments.ts'
import * as m0022 from './0022-firings.ts'
import * as m0023 from './0023-audit-sink-cursors.ts'
import * as m0024 from './0024-audit-checkpoints.ts'
import * as m0025 from './0025-access-reviews.ts'
import * as m0026 from './0026-compliance-history.ts'
import * as m0027 from './0027-lineage.ts'
import * as m0028 from './0028-lineage-datasets.ts'
import * as m0029 from './0029-lineage-dataset-runs.ts'

/**
 * Every migration, by name, in the order they apply (names sort lexically). Add a migration by adding its file
 * `NNNN-name.ts` (exporting `up` and `down`, taking `Kysely<any>`, importing no app code) and one line here.
 * Released migrations are frozen: change the schema with a new one.
 */
export const migrations: Record<string, Migration> = {
  '0001-audit': m0001,
  '0002-governance': m0002,
  '0003-sessions': m0003,
  '0005-revocations': m0005,
  '0006-scim': m0006,
  '0007-request-states': m0007,
  '0008-idempotency': m0008,
  '0009-shadow': m0009,
  '0010-airflow-sign-in': m0010,
  '0011-approvals': m0011,
  '0012-notifications': m0012,
  '0013-grants': m0013,
  '0014-service-accounts': m0014,
  '0015-service-account-trusts': m0015,
  '0017-leases': m0017,
  '0018-schedules': m0018,
  '0019-dag-run-types': m0019,
  '0020-links': m0020,
  '0021-environments': m0021,
  '0022-firings': m0022,
  '0023-audit-sink-cursors': m0023,
  '0024-audit-checkpoints': m0024,
  '0025-access-reviews': m0025,
  '0026-compliance-history': m0026,
  '0027-lineage': m0027,
  '0028-lineage-datasets': m0028,
  '0029-lineage-dataset-runs': m0029,
}
