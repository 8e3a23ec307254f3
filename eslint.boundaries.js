import boundaries from 'eslint-plugin-boundaries'

/**
 * The import rules of DESIGN.md "Parts", checked by eslint-plugin-boundaries:
 * - a domain uses only the domains the table allows (core and config are open to all),
 *   entering each through its `index.ts`; inside its own folder anything goes;
 * - faces (api, cli, mcp) and the composition root (src/*.ts) enter domains through `index.ts`;
 *   no domain imports a face, and no face imports another face (but the CLI hosts the MCP server: `conductor mcp`);
 * - src/ never imports test/, bench/, scripts/ or harness/ (its unit tests may use harness/);
 * - harness/, bench/ and scripts/ never import test/; they and the tests enter src/ through front doors too;
 * - contract/ (generated from the API) is read by the CLI, the console and tests, and imports nothing of ours.
 */
const DOMAIN_USES = {
  core: [],
  config: [],
  // The REST API client the CLI and the MCP server share (they reach the domains through the HTTP API).
  client: [],
  store: [],
  secrets: [],
  audit: ['store'],
  policy: ['store'],
  orchestrators: ['secrets'],
  identity: ['store', 'audit'],
  governance: ['identity', 'policy', 'orchestrators', 'audit', 'store'],
  compliance: ['governance', 'policy', 'identity', 'audit', 'store'],
  // Prometheus metrics: the composition root wires it; it knows no other domain (it wraps them generically).
  metrics: [],
  // OpenTelemetry traces: the composition root loads it only when `tracing.enabled`; it knows no other domain.
  tracing: [],
}
const OPEN_TO_ALL = ['core', 'config']
const DOMAINS = Object.keys(DOMAIN_USES)
// The CLI also reaches the composition root: `conductor serve` starts the server.
const FACE_USES = { api: DOMAINS, cli: DOMAINS, mcp: ['governance', 'identity', 'client', ...OPEN_TO_ALL] }

const frontDoor = (names) => ({ to: { element: { type: 'domain', captured: { name: names }, fileInternalPath: 'index.ts' } } })
const itself = (type, name) => ({ to: { element: { type, ...(name ? { captured: { name } } : {}) } } })
const root = { to: { file: { categories: 'root' } } }
const faceFrontDoor = { to: { element: { type: 'face', fileInternalPath: 'index.ts' } } }

const policies = [
  ...Object.entries(DOMAIN_USES).map(([name, uses]) => ({
    from: { element: { type: 'domain', captured: { name } } },
    allow: [itself('domain', name), frontDoor([...new Set([...uses, ...OPEN_TO_ALL])])],
  })),
  ...Object.entries(FACE_USES).map(([name, uses]) => ({
    from: { element: { type: 'face', captured: { name } } },
    allow: [itself('face', name), frontDoor(uses), ...(name === 'cli' ? [root] : [])],
  })),
  { from: { file: { categories: 'root' } }, allow: [root, frontDoor(DOMAINS), faceFrontDoor] },
  { from: { element: { type: ['harness', 'bench', 'scripts', 'test'] } }, allow: [frontDoor(DOMAINS), faceFrontDoor, root, itself('harness'), itself('scripts'), itself('contract')] },
  { from: { element: { type: 'bench' } }, allow: [itself('bench')] },
  { from: { element: { type: 'test' } }, allow: [itself('test')] },
  // `conductor mcp` hosts the MCP server on stdio: the one face the CLI may enter, through its front door.
  { from: { element: { type: 'face', captured: { name: 'cli' } } }, allow: [{ to: { element: { type: 'face', captured: { name: 'mcp' }, fileInternalPath: 'index.ts' } } }] },
  // The CLI reads the API's answers with the generated contract types (the console too; see the web rule).
  { from: { element: { type: 'face', captured: { name: 'cli' } } }, allow: [itself('contract')] },
]

export const boundaryRules = [
  {
    files: ['src/**/*.ts', 'harness/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts', 'contract/**/*.ts'],
    plugins: { boundaries },
    settings: {
      // The process entry and the composition root, directly in src/.
      'boundaries/files': [{ category: 'root', pattern: 'src/*.ts' }],
      'boundaries/elements': [
        { type: 'face', pattern: 'src/(api|cli|mcp)', capture: ['name'] },
        { type: 'domain', pattern: 'src/*', capture: ['name'] },
        { type: 'harness', pattern: 'harness' },
        { type: 'bench', pattern: 'bench' },
        { type: 'scripts', pattern: 'scripts' },
        { type: 'test', pattern: 'test' },
        { type: 'contract', pattern: 'contract' },
      ],
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies }],
    },
  },
  {
    // A unit test beside a domain's code may also use the harness (seeded randomness, databases).
    files: ['src/**/*.test.ts'],
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies: [...policies, { from: { element: { type: ['domain', 'face'] } }, allow: [itself('harness')] }] }],
    },
  },
]
