import type { AuditedWrite, AuditEvent, AuditEventInput, AuditLog } from '../../audit/index.ts'
import type { Notify } from './notifier.ts'

/** The request lifecycle events webhooks are told of (`request.pending`, `request.approved`, `request.denied`, …). */
export const REQUEST_EVENT_PREFIX = 'request.'

/** The grant lifecycle events webhooks are told of too (`grant.started`, `grant.revoked`, `grant.expired`; docs/grants.md). */
const GRANT_EVENT_PREFIX = 'grant.'

/**
 * The audit log, with each request lifecycle event also put in the notification outbox once it is recorded: the
 * webhook sees what the audit trail says (request id, who, what, environment, DAG, and the event's own facts).
 */
export function notifyingRequestEvents(audit: Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'commit'>>, notify: Notify): Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'commit'>> {
  const told = async (event: AuditEvent): Promise<void> => {
    if (event.type.startsWith(REQUEST_EVENT_PREFIX) || event.type.startsWith(GRANT_EVENT_PREFIX)) {
      await notify({
        type: event.type, occurredAt: event.at,
        data: {
          requestId: event.requestId, principal: event.principal, principalType: event.principalType, action: event.action,
          environment: event.environment, dag: event.dag, ...event.data,
        },
      })
    }
  }
  return {
    async append(input: AuditEventInput): Promise<AuditEvent> {
      const event = await audit.append(input)
      await told(event)
      return event
    },
    // Events committed with other rows are told once the whole commit is durable, in order.
    ...(audit.commit === undefined ? {} : {
      async commit(inputs: AuditEventInput[], write?: AuditedWrite): Promise<AuditEvent[]> {
        const events = await audit.commit!(inputs, write)
        for (const event of events) await told(event)
        return events
      },
    }),
  }
}
