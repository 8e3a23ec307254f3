import { globToRegExp } from '../../core/index.ts'
import type { LineageConfig } from '../../config/index.ts'

/** One `lineage.datasetTags` entry: a glob over `namespace/name`, and the tags of the datasets it matches. */
export type DatasetTagRule = LineageConfig['datasetTags'][number]

/** A dataset's name as policy sees it (`context.lineage.writes`): `namespace/name`. */
export function datasetKey(namespace: string, name: string): string {
  return `${namespace}/${name}`
}

/**
 * The matcher of a dataset glob: `*` matches any run of characters (none included, `/` included); every other
 * character matches itself. The whole name must match.
 */
export function datasetGlob(pattern: string): (dataset: string) => boolean {
  const re = globToRegExp(pattern)
  return (dataset) => re.test(dataset)
}

/** The tags configuration gives a dataset (`namespace/name`): those of every rule matching it, each once. */
export type DatasetClassifier = (dataset: string) => readonly string[]

/** The classifier of `rules` (`lineage.datasetTags`); answers are remembered per dataset (the rules are fixed). */
export function datasetClassifier(rules: readonly DatasetTagRule[]): DatasetClassifier {
  const compiled = rules.map((r) => ({ matches: datasetGlob(r.dataset), tags: r.tags }))
  const known = new Map<string, readonly string[]>()
  return (dataset) => {
    let tags = known.get(dataset)
    if (tags === undefined) {
      tags = [...new Set(compiled.filter((r) => r.matches(dataset)).flatMap((r) => r.tags))]
      // Bounded: the names asked about are those the index holds (capped per DAG); a cap here keeps a flood harmless.
      if (known.size >= 100_000) known.clear()
      known.set(dataset, tags)
    }
    return tags
  }
}
