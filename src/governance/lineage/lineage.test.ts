import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isConductorError } from '../../core/index.ts'
import { conductorFacet, conductorJobName, enriched, openLineageConf, parentRunId, parseRunEvent, withOpenLineageConf } from './index.ts'
import { airflowRunOf, datasetTags, parentOf } from './openlineage.ts'

const RUN_ID = '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c55'
const airflowTaskStart = () => ({
  eventType: 'START', eventTime: '2026-11-30T08:00:01.123456+00:00', producer: 'https://github.com/apache/airflow/tree/providers-openlineage/2.3.0',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: {
    runId: RUN_ID,
    facets: {
      parent: {
        _producer: 'https://github.com/apache/airflow', _schemaURL: 'https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet',
        run: { runId: parentRunId('r-1') }, job: { namespace: 'conductor', name: 'dag:trigger/prod/etl_daily' },
      },
    },
  },
  job: { namespace: 'prod', name: 'etl_daily.extract' },
  inputs: [{ namespace: 'postgres://db:5432', name: 'sales.orders', facets: {} }],
  outputs: [],
})

describe('OpenLineage for requests', () => {
  it('derives one v5 UUID per request id, the same at every retry', () => {
    const id = parentRunId('req-42')
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(parentRunId('req-42'), id)
    assert.notEqual(parentRunId('req-43'), id)
  })

  it('adds the parent and root ids to conf.openlineage without overwriting the caller\'s keys', () => {
    const ours = openLineageConf(parentRunId('r-1'), conductorJobName('dag:trigger', 'prod', 'etl_daily'))
    assert.deepEqual(withOpenLineageConf({ day: '2026-11-30' }, ours), { day: '2026-11-30', openlineage: ours })
    const callers = { openlineage: { parentRunId: 'theirs', rootParentJobName: 'upstream' }, day: 1 }
    const merged = withOpenLineageConf(callers, ours)
    assert.deepEqual(merged, { day: 1, openlineage: { ...ours, parentRunId: 'theirs', rootParentJobName: 'upstream' } })
    assert.deepEqual(callers, { openlineage: { parentRunId: 'theirs', rootParentJobName: 'upstream' }, day: 1 }, 'the caller\'s conf is not changed')
    assert.deepEqual(withOpenLineageConf({ openlineage: 'off' }, ours), { openlineage: 'off' }, 'a non-object openlineage is the caller\'s to keep')
    assert.deepEqual(withOpenLineageConf({ openlineage: null }, ours), { openlineage: null })
    assert.equal(ours.parentJobNamespace, 'conductor')
    assert.equal(ours.rootParentRunId, ours.parentRunId)
    assert.equal(ours.parentJobName, 'dag:trigger/prod/etl_daily')
  })

  it('builds the conductor facet with _producer and _schemaURL, as custom facets need', () => {
    const facet = conductorFacet({
      principal: { type: 'User', id: 'alice' }, groups: ['data-eng'], action: 'dag:trigger', requestId: 'r-1', decision: 'allow', policyIds: ['p7'],
      approvals: [{ by: 'dave', at: '2026-11-30T08:00:00.000Z' }], reason: 'backfill', via: 'api', tool: null,
    })
    assert.match(facet._producer, /^https:\/\//)
    assert.match(facet._schemaURL, /^https:\/\/.*#/)
    const event = enriched(parseRunEvent(airflowTaskStart()), facet)
    assert.deepEqual(event.run.facets?.conductor, facet)
    assert.ok(event.run.facets?.parent, 'the provider\'s facets stay')
    const spoofed = parseRunEvent({ ...airflowTaskStart(), run: { runId: RUN_ID, facets: { conductor: { ...facet, principal: { type: 'User', id: 'mallory' } } } } })
    assert.deepEqual(enriched(spoofed, facet).run.facets?.conductor, facet, 'Conductor\'s facet replaces one the sender made up')
    assert.equal(enriched(spoofed, null).run.facets?.conductor, undefined, 'and an event joined to no request is forwarded without one')
  })

  it('accepts an event as the Airflow provider sends it and names the bad field of one that is not', () => {
    assert.equal(parseRunEvent(airflowTaskStart()).job.name, 'etl_daily.extract')
    const fieldOf = (mutate: (e: ReturnType<typeof airflowTaskStart>) => unknown) => {
      const event = airflowTaskStart()
      mutate(event)
      try {
        parseRunEvent(event)
        return 'accepted'
      } catch (error) {
        assert.ok(isConductorError(error, 'lineage_event_invalid'))
        return error.details?.field
      }
    }
    assert.equal(fieldOf((e) => { e.run.runId = 'not-a-uuid' }), 'run.runId')
    assert.equal(fieldOf((e) => { e.eventType = 'FINISHED' }), 'eventType')
    assert.equal(fieldOf((e) => { (e.inputs[0] as { name?: string }).name = '' }), 'inputs[0].name')
    assert.equal(fieldOf((e) => { delete (e.run.facets.parent as { _producer?: string })._producer }), 'run.facets.parent._producer')
    assert.equal(fieldOf((e) => { e.eventTime = 'yesterday' }), 'eventTime')
    assert.equal(fieldOf((e) => { delete (e as { schemaURL?: string }).schemaURL }), 'schemaURL')
  })
})

describe('datasetTags', () => {
  it('reads the tags facet: a true or empty value is the key, any other value is key:value, each once', () => {
    const facet = (tags: unknown) => ({ facets: { tags: { _producer: 'https://x.example', _schemaURL: 'https://x.example/s', tags } } })
    assert.deepEqual(datasetTags(facet([{ key: 'pii', value: 'true' }, { key: 'owner', value: 'finance' }, { key: 'pii', value: '' }, { key: 'gdpr' }])), ['pii', 'owner:finance', 'gdpr'])
    assert.deepEqual(datasetTags(facet('not a list')), [])
    assert.deepEqual(datasetTags(facet([{ value: 'x' }, null, { key: '' }])), [])
    assert.deepEqual(datasetTags({}), [])
  })
})

describe('parentOf and airflowRunOf', () => {
  const event = (facets: Record<string, unknown>) => parseRunEvent({
    eventType: 'START', eventTime: '2026-11-30T08:00:00Z', producer: 'https://x.example', schemaURL: 'https://x.example/s',
    run: { runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c55', facets }, job: { namespace: 'local', name: 'etl_daily.extract' },
  })
  const meta = { _producer: 'https://x.example', _schemaURL: 'https://x.example/s' }
  it('read the parent and the Airflow run the facets name', () => {
    const e = event({ parent: { ...meta, run: { runId: 'p' }, job: { namespace: 'conductor', name: 'j' }, root: { run: { runId: 'r' } } }, airflowDagRun: { ...meta, dagRun: { dag_id: 'etl_daily', run_id: 'r1' } } })
    assert.deepEqual(parentOf(e), { runId: 'p', namespace: 'conductor', name: 'j', rootRunId: 'r' })
    assert.deepEqual(airflowRunOf(e), { dagId: 'etl_daily', runId: 'r1' })
  })
  it('take an id with a control character, or none, as not named (nothing unstorable is looked up or kept)', () => {
    const e = event({ parent: { ...meta, run: { runId: 'p\u0000' } }, airflowDagRun: { ...meta, dagRun: { dag_id: 'etl_daily', run_id: 'r\u00001' } } })
    assert.equal(parentOf(e), null)
    assert.equal(airflowRunOf(e), null)
    const root = event({ parent: { ...meta, run: { runId: 'p' }, root: { run: { runId: '' } } } })
    assert.equal(parentOf(root)?.rootRunId, null)
  })
})
