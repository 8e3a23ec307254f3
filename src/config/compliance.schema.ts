import { z } from 'zod'
import { secretRefSchema } from './common.schema.ts'

const DURATION = /^[1-9][0-9]{0,5}(m|h|d)$/

/** Reminder webhooks of access review campaigns. */
const remindersSchema = z.strictObject({
  webhook: z.strictObject({
    url: z.url({ protocol: /^https?$/ }).describe('Where each reminder is POSTed as JSON (one per reviewer with pending items and mark). Never logged or audited.'),
    secret: secretRefSchema.optional()
      .describe('Signs each reminder like notifications do: `Conductor-Timestamp` and `Conductor-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.'),
  }),
  before: z.array(z.string().regex(DURATION, 'a duration such as "72h", "30m" or "2d"')).min(1).default(['72h', '24h'])
    .describe('How long before a campaign\'s due date each reminder goes out; each is sent once per reviewer with pending items.'),
  checkSeconds: z.number().int().min(1).max(3600).default(60).describe('How often open campaigns are looked at for reminders due, on the replica holding the `review-reminders` lease.'),
  timeoutSeconds: z.number().int().min(1).max(60).default(5).describe('How long one reminder waits for the receiver\'s answer; a failed one is tried again at the next check.'),
})

/** Access review campaigns (docs/reviews.md). */
const reviewsSchema = z.strictObject({
  findingsCheckSeconds: z.number().int().min(0).max(86_400).default(60)
    .describe('How often open findings are checked against policy and the directory, on the replica holding the `review-findings` lease: one no longer granted is resolved and its suspension lifted. 0 turns the check off.'),
  suspensionsPollMs: z.number().int().min(100).max(1000).default(1000)
    .describe('How often each replica re-reads the open findings (suspensions written by another replica); the replica that writes a revoke honours it at once.'),
  reminders: remindersSchema.optional().describe('Reminder webhooks before the due date; none when absent.'),
})

/** Compliance: access reviews. */
export const complianceSchema = z.strictObject({
  reviews: reviewsSchema.prefault({}),
}).describe('Compliance: access review campaigns (docs/reviews.md).')
