import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { SCHEDULE_STATES, type Schedules } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'
import { lookupId, segment, text } from '../schemas.ts'

const isoTime = z.string().describe('ISO 8601')
const ownerRef = z.strictObject({
  type: z.enum(['User', 'ServiceAccount', 'Agent']),
  id: text(250).min(1),
}).describe('The principal the schedule triggers as')
const cron = text(200).min(1).describe('Five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly')
const timezone = text(100).min(1).describe('IANA time zone of `cron`, e.g. `Europe/Paris` (default UTC)')
const intervalSeconds = z.number().int().describe('Instead of cron: every this many seconds from creation (60 to a year)')
const conf = z.unknown().describe('The run conf each firing passes (as a trigger\'s, at most `governance.maxConfBytes`)')
const description = text(500).describe('What the schedule is for')

const createBody = z.strictObject({
  environment: segment,
  dagId: segment,
  cron: cron.optional(),
  timezone: timezone.optional(),
  intervalSeconds: intervalSeconds.optional(),
  conf: conf.optional(),
  description: description.optional(),
  owner: ownerRef.optional().describe('Who it triggers as (default: you); policy decides whether you may create it for them (`schedule:create`)'),
})
const patchBody = z.strictObject({
  cron: cron.optional(),
  timezone: timezone.optional(),
  intervalSeconds: intervalSeconds.optional(),
  conf: conf.optional(),
  description: description.nullable().optional(),
})
const transferBody = z.strictObject({ to: ownerRef })
const scheduleParams = z.object({ id: lookupId })
const listQuery = z.strictObject({ environment: segment.optional(), dagId: segment.optional() })

/** An owned schedule (`ScheduleView`). */
export const scheduleView = z.strictObject({
  id: z.string(),
  environment: z.string(),
  dagId: z.string(),
  owner: z.strictObject({ type: z.enum(['User', 'ServiceAccount', 'Agent']), id: z.string() }),
  cron: z.string().nullable(),
  timezone: z.string().nullable(),
  intervalSeconds: z.number().int().nullable(),
  conf: z.record(z.string(), z.unknown()),
  description: z.string().nullable(),
  state: z.enum(SCHEDULE_STATES),
  suspendedReason: z.string().nullable().describe('`suspended_by_user`, `owner_deprovisioned` or `owner_not_allowed` while suspended'),
  nextFireAt: isoTime.nullable().describe('When it fires next; null while suspended'),
  lastFiredAt: isoTime.nullable().describe('The due time of its last firing'),
  lastRequestId: z.string().nullable().describe('The dag:trigger request of its last firing'),
  createdBy: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
}).meta({ id: 'ScheduleView' })
const scheduleAnswer = z.strictObject({ schedule: scheduleView }).meta({ id: 'ScheduleAnswer' })
const scheduleList = z.strictObject({ schedules: z.array(scheduleView) }).meta({ id: 'ScheduleList' })
const scheduledDag = z.strictObject({
  environment: z.string(),
  dagId: z.string(),
  schedule: z.string().describe('Airflow\'s summary of the DAG\'s own schedule'),
  owners: z.array(z.string()).describe('The DAG\'s `owner` field in Airflow'),
  ownedBy: z.array(z.strictObject({ scheduleId: z.string(), owner: z.strictObject({ type: z.enum(['User', 'ServiceAccount', 'Agent']), id: z.string() }) }))
    .describe('The active Conductor schedules of this DAG'),
  ownerPrincipals: z.array(z.string()).describe('Its Airflow owners (and `owner:<id>` tags) that are principals Conductor has seen, as shadow activity counts ownership'),
}).meta({ id: 'ScheduledDag' })
const findings = z.strictObject({
  scheduled: z.array(scheduledDag).describe('Every DAG Airflow schedules by itself that you may read'),
  findings: z.array(scheduledDag.extend({ kind: z.literal('unowned_schedule') })).describe('The scheduled DAGs nobody answers for: no active Conductor schedule, and no Airflow owner that is a known principal'),
}).meta({ id: 'ScheduleFindings' })

/** Owned schedules under /api/v1 (docs/schedules.md). */
export function schedulesRoutes(deps: { schedules: Schedules; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const { schedules: s, who } = deps
  return async (app) => {
    app.post('/schedules', { schema: { tags: ['schedules'], summary: 'Create a schedule that triggers a DAG as its owner (schedule:create; the owner must be allowed dag:trigger)', body: createBody, response: { 201: scheduleAnswer, ...apiErrors(400, 404) } } }, async (request, reply) => {
      const schedule = await s.create(who(request), request.body)
      reply.code(201).header('location', `/api/v1/schedules/${encodeURIComponent(schedule.id)}`)
      return { schedule }
    })

    app.get('/schedules', { schema: { tags: ['schedules'], summary: 'The schedules you may see (schedule:read), with owner, next and last firing', querystring: listQuery, response: { 200: scheduleList, ...apiErrors(400) } } }, async (request) => {
      return { schedules: await s.list(who(request), request.query) }
    })

    app.get('/schedules/findings', { schema: { tags: ['schedules'], summary: 'DAGs Airflow schedules by itself, and those no Conductor schedule owns (findings)', response: { 200: findings, ...apiErrors() } } }, async (request) => {
      const scheduled = await s.scheduledDags(who(request))
      return { scheduled, findings: scheduled.filter((d) => d.ownedBy.length === 0 && d.ownerPrincipals.length === 0).map((d) => ({ ...d, kind: 'unowned_schedule' as const })) }
    })

    app.get('/schedules/:id', { schema: { tags: ['schedules'], summary: 'One schedule', params: scheduleParams, response: { 200: scheduleAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { schedule: await s.get(who(request), request.params.id) }
    })

    app.patch('/schedules/:id', { schema: { tags: ['schedules'], summary: 'Change its timing, conf or description (schedule:manage)', params: scheduleParams, body: patchBody, response: { 200: scheduleAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { schedule: await s.update(who(request), request.params.id, request.body) }
    })

    app.delete('/schedules/:id', { schema: { tags: ['schedules'], summary: 'Delete it (schedule:manage); answers the schedule as it was', params: scheduleParams, response: { 200: scheduleAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { schedule: await s.delete(who(request), request.params.id) }
    })

    app.post('/schedules/:id/suspend', { schema: { tags: ['schedules'], summary: 'Stop it firing (schedule:manage)', params: scheduleParams, response: { 200: scheduleAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { schedule: await s.suspend(who(request), request.params.id) }
    })

    app.post('/schedules/:id/resume', { schema: { tags: ['schedules'], summary: 'Let it fire again from now (schedule:manage; its owner must still be allowed to trigger)', params: scheduleParams, response: { 200: scheduleAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { schedule: await s.resume(who(request), request.params.id) }
    })

    app.post('/schedules/:id/transfer', { schema: { tags: ['schedules'], summary: 'Give it to another owner (schedule:transfer; the new owner must be allowed dag:trigger)', params: scheduleParams, body: transferBody, response: { 200: scheduleAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { schedule: await s.transfer(who(request), request.params.id, request.body.to) }
    })
  }
}
