import { cpSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../..', import.meta.url).pathname

/**
 * Copies the project's policies into `folder` and adds a test-only one letting data-eng operate the QA
 * test DAGs (tagged `team:qa`: conductor_fails_once, conductor_params). Returns `folder`.
 */
export function policiesWithQa(folder: string): string {
  cpSync(join(root, 'policies'), folder, { recursive: true })
  writeFileSync(join(folder, 'qa.cedar'), `// Test-only: data-eng may operate the QA DAGs.
@id("data-eng-operate-qa")
permit (principal in Group::"data-eng", action in [Action::"dag:read", Action::"dag:trigger", Action::"dag:rerun", Action::"run:read", Action::"run:logs"], resource)
when { resource.tags.contains("team:qa") };
`)
  return folder
}
