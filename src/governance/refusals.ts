import type { Kysely } from 'kysely'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, type Clock } from '../core/index.ts'
import type { GovernanceTables, RequestsTable } from './governance.tables.ts'
import { isoNow } from './pipeline/index.ts'
import { insertRequest } from './requests.repository.ts'

/**
 * Records a governed call refused for its input before policy was asked (e.g. a `conf` too deep or too large): the
 * request is stored in state `refused` with decision `deny`, the error's code and message, and a `request.refused`
 * audit event names it; nothing is dispatched.
 * @returns `error` with `details.requestId` naming the recorded request, for the caller to throw.
 */
export async function recordRefusal(
  deps: { db: Kysely<GovernanceTables>; audit: Pick<AuditLog, 'append'>; clock: Clock },
  request: RequestsTable,
  error: ConductorError,
): Promise<ConductorError> {
  const row: RequestsTable = {
    ...request, updated_at: isoNow(deps.clock), decision: 'deny', reasons: JSON.stringify([error.message]),
    state: 'refused', error_code: error.code, error_message: error.message,
  }
  await insertRequest(deps.db, row)
  await deps.audit.append({
    type: 'request.refused', principal: row.principal_id, principalType: row.principal_type, environment: row.environment,
    dag: row.dag_id, action: row.action, requestId: row.id, decision: 'deny',
    data: { errorCode: error.code, message: error.message, details: error.details ?? {} },
  })
  return new ConductorError(error.code, error.message, { details: { ...error.details, requestId: row.id }, cause: error })
}
