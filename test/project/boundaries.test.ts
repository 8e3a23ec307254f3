import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ESLint } from 'eslint'

// The import rules of DESIGN.md, as `npm run lint` (and so CI) applies them to a file at `path`.
const root = new URL('../..', import.meta.url).pathname
const eslint = new ESLint({ cwd: root })

async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message)
}

describe('import boundaries', () => {
  it('refuses an orchestrator that knows identity or policy', async () => {
    const errors = await boundaryErrors('src/orchestrators/probe.ts', "import type { PolicyEngine } from '../policy/index.ts'\nimport type { Principal } from '../identity/index.ts'\nexport type P = PolicyEngine | Principal\n")
    assert.equal(errors.length, 2)
    assert.match(errors[0]!, /name="orchestrators" to elements of type "domain" and captured values: name="policy"/)
  })

  it('refuses reaching into another domain past its index.ts', async () => {
    const errors = await boundaryErrors('src/api/probe.ts', "import { parseFilter } from '../identity/scim/filter.ts'\nexport const f = parseFilter\n")
    assert.equal(errors.length, 1)
  })

  it('refuses a domain importing a face or the composition root', async () => {
    assert.equal((await boundaryErrors('src/governance/probe.ts', "import { buildServer } from '../api/index.ts'\nexport const b = buildServer\n")).length, 1)
    assert.equal((await boundaryErrors('src/policy/probe.ts', "import { createApp } from '../app.ts'\nexport const a = createApp\n")).length, 1)
  })

  it('refuses the harness, benchmarks and scripts importing tests', async () => {
    for (const path of ['harness/probe.ts', 'bench/probe.ts', 'scripts/probe.ts']) {
      const errors = await boundaryErrors(path, "import { conductor } from '../test/support/cli.ts'\nexport const c = conductor\n")
      assert.equal(errors.length, 1, path)
    }
  })

  it('allows what DESIGN.md allows', async () => {
    assert.deepEqual(await boundaryErrors('src/governance/probe.ts', "import type { Orchestrator } from '../orchestrators/index.ts'\nimport type { PolicyEngine } from '../policy/index.ts'\nimport { ConductorError } from '../core/index.ts'\nexport type X = Orchestrator | PolicyEngine | ConductorError\n"), [])
    assert.deepEqual(await boundaryErrors('test/integration/probe.ts', "import { startTestApp } from '../../harness/app.ts'\nimport { createApp } from '../../src/app.ts'\nexport const s = [startTestApp, createApp]\n"), [])
  })
})
