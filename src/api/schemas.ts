import { z } from 'zod'
import { ACTIONS } from '../policy/index.ts'

/** The longest id (DAG, run, task, environment) a path or query may carry; the server's router enforces it too (`maxParamLength`). */
export const MAX_SEGMENT_LENGTH = 250

/**
 * Path segment names as Airflow and Conductor allow them. `.` and `..` are refused: every URL parser between the
 * caller and Airflow would resolve them (even percent-encoded) into another endpoint.
 */
export const segment = z.string().min(1).max(MAX_SEGMENT_LENGTH)
  .regex(/^(?!\.\.?$)[A-Za-z0-9_.~:+-]+$/, 'letters, digits and _ . ~ : + - only; "." and ".." are not ids')

/**
 * Free text a route looks up or stores as given (filters, principal ids, groups): no control characters, which no
 * id contains and PostgreSQL text cannot hold (NUL).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
export const text = (max: number) => z.string().max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters')

export const envParams = z.object({ env: segment })
export const dagParams = z.object({ env: segment, dag: segment })
export const runParams = z.object({ env: segment, dag: segment, runId: segment })
export const taskParams = z.object({ env: segment, dag: segment, runId: segment, taskId: segment })

export const dagListQuery = z.strictObject({
  environment: segment.optional(),
  tag: text(250).min(1).optional(),
  zone: text(250).min(1).optional().describe('Only DAGs of environments in this compliance zone.'),
  tier: text(250).min(1).optional().describe('Only DAGs of environments of this tier.'),
  team: text(250).min(1).optional().describe('Only DAGs of this team: the DAG\'s own team in Airflow (multi-team), else its environment\'s owning team.'),
})

export const triggerBody = z.strictObject({
  conf: z.unknown().optional().describe('The run\'s conf: a JSON object, at most `governance.maxConfBytes` bytes and `governance.maxConfDepth` levels deep.'),
  logicalDate: z.iso.datetime({ offset: true }).nullable().optional().describe('Omit or null for a normal manual run.'),
  note: z.string().max(500).optional().describe('Appended to the note Conductor writes on the Airflow run.'),
  reason: z.string().max(500).optional().describe('Why you run it; recorded and available to policy as context.reason.'),
})

export const rerunBody = z.strictObject({
  reason: z.string().max(500).optional(),
}).optional()

export const pauseBody = z.strictObject({ paused: z.boolean() })

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).default(0),
})

export const logQuery = z.strictObject({
  tryNumber: z.coerce.number().int().min(1).optional(),
  continuationToken: text(4096).optional(),
})

export const authorizeBody = z.strictObject({
  action: z.enum(ACTIONS),
  environment: segment,
  dag: segment.optional(),
  as: z.strictObject({
    type: z.enum(['User', 'ServiceAccount', 'Agent']).default('User'),
    id: text(250).min(1),
    groups: z.array(text(250).min(1)).max(200).optional(),
  }).optional().describe('Explain for another principal (needs audit:read). Groups default to those last seen.'),
})

export const requestsQuery = z.strictObject({
  principal: text(250).optional(),
  environment: segment.optional(),
  dag: segment.optional(),
  action: text(64).optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  state: text(32).optional(),
  before: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  toApprove: z.enum(['true', 'false']).optional().describe('true: the pending requests you may approve or deny (other filters are ignored)'),
})

/** An id looked up as given (requests, grants, trust rules): 1–100 characters, no control characters (PostgreSQL text cannot hold NUL). */
export const lookupId = text(100).min(1)

export const requestParams = z.object({ id: lookupId })

export const auditQuery = z.strictObject({
  principal: text(250).optional(),
  environment: segment.optional(),
  dag: segment.optional(),
  action: text(64).optional(),
  type: text(64).optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  requestId: text(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
})
