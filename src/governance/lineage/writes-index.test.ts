import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { datasetClassifier, datasetGlob } from './dataset-tags.ts'
import { createLineageIndex } from './writes-index.ts'

const quiet = { warn: () => {} }

describe('datasetGlob', () => {
  it('matches the whole namespace/name, * any run of characters, everything else literally', () => {
    const crm = datasetGlob('postgres://warehouse:5432/crm.customers*')
    assert.equal(crm('postgres://warehouse:5432/crm.customers'), true)
    assert.equal(crm('postgres://warehouse:5432/crm.customers_eu'), true)
    assert.equal(crm('postgres://warehouse:5432/crmXcustomers'), false, 'a dot is a dot')
    assert.equal(crm('x-postgres://warehouse:5432/crm.customers'), false, 'anchored at the start')
    const lake = datasetGlob('s3://lake/*/pii/*')
    assert.equal(lake('s3://lake/eu/pii/people.parquet'), true)
    assert.equal(lake('s3://lake/eu/public/people.parquet'), false)
    assert.equal(datasetGlob('a(b)+[c]')('a(b)+[c]'), true, 'regular expression characters are literal')
    assert.equal(datasetGlob('*')('anything/at all'), true)
  })

  it('the classifier gives the tags of every rule that matches, each once', () => {
    const classify = datasetClassifier([
      { dataset: 'postgres://warehouse:5432/crm.*', tags: ['pii'] },
      { dataset: 'postgres://warehouse:5432/crm.customers', tags: ['pii', 'gdpr'] },
    ])
    assert.deepEqual([...classify('postgres://warehouse:5432/crm.customers')].sort(), ['gdpr', 'pii'])
    assert.deepEqual(classify('postgres://warehouse:5432/sales.orders'), [])
  })
})

describe('lineage index', () => {
  it('holds what each DAG of each environment wrote, with facet and configured tags', () => {
    const index = createLineageIndex({ db: {} as never, logger: quiet, datasetTags: [{ dataset: 's3://lake/pii/*', tags: ['pii'] }] })
    index.wrote('prod', 'crm_sync', [{ namespace: 'postgres://warehouse:5432', name: 'crm.customers', tags: ['gdpr'] }])
    index.wrote('prod', 'people', [{ namespace: 's3://lake', name: 'pii/people', tags: [] }])
    assert.deepEqual(index.of('prod', 'crm_sync'), { writes: ['postgres://warehouse:5432/crm.customers'], writeTags: ['gdpr'], key: index.of('prod', 'crm_sync').key })
    assert.deepEqual(index.of('prod', 'people').writeTags, ['pii'], 'tagged by configuration')
    assert.deepEqual(index.of('dev', 'people'), { writes: [], writeTags: [], key: '' }, 'per environment')
    // Tags add up across events, and the key follows the content.
    const before = index.of('prod', 'crm_sync').key
    index.wrote('prod', 'crm_sync', [{ namespace: 'postgres://warehouse:5432', name: 'crm.customers', tags: ['pii'] }])
    assert.deepEqual(index.of('prod', 'crm_sync').writeTags, ['gdpr', 'pii'])
    assert.notEqual(index.of('prod', 'crm_sync').key, before)
  })

  it('a new datasetTags configuration applies at once to what is held', () => {
    const index = createLineageIndex({ db: {} as never, logger: quiet })
    index.wrote('prod', 'crm_sync', [{ namespace: 'postgres://warehouse:5432', name: 'crm.customers', tags: [] }])
    assert.deepEqual(index.of('prod', 'crm_sync').writeTags, [])
    index.setDatasetTags([{ dataset: 'postgres://warehouse:5432/crm.customers*', tags: ['pii'] }])
    assert.deepEqual(index.of('prod', 'crm_sync').writeTags, ['pii'])
    index.setDatasetTags([])
    assert.deepEqual(index.of('prod', 'crm_sync').writeTags, [])
  })

  it('keeps at most maxDatasetsPerDag datasets per DAG, the most recently written', () => {
    const index = createLineageIndex({ db: {} as never, logger: quiet, maxDatasetsPerDag: 3 })
    for (const name of ['a', 'b', 'c']) index.wrote('prod', 'd', [{ namespace: 'ns', name, tags: name === 'a' ? ['pii'] : [] }])
    index.wrote('prod', 'd', [{ namespace: 'ns', name: 'a', tags: [] }])
    index.wrote('prod', 'd', [{ namespace: 'ns', name: 'e', tags: [] }])
    assert.deepEqual(index.of('prod', 'd').writes, ['ns/a', 'ns/c', 'ns/e'], 'b, the least recently written, went')
    assert.deepEqual(index.of('prod', 'd').writeTags, ['pii'])
    assert.deepEqual(index.size(), { dags: 1, datasets: 3 })
  })
})
