import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { boundaryRules } from './eslint.boundaries.js'

export default tseslint.config(
  { ignores: ['node_modules/**', '.cache/**', '.venv-airflow/**', 'web/dist/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-syntax': ['error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
        { selector: 'TSEnumDeclaration', message: 'No enums: Node type stripping cannot run them.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A file past 400 lines is split by concern, or says why not: `/* eslint-disable max-lines -- <reason> */` in its header.
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  { files: ['eslint.config.js', 'web/vite.config.ts'], rules: { 'no-restricted-syntax': 'off' } },
  // Generated from the API's routes by `npm run gen:api`; its length is the API's.
  { files: ['contract/**'], rules: { 'max-lines': 'off' } },
  {
    // The web console talks to Conductor through the REST API only, never by importing server code; the API's types
    // come from the generated contract (contract/api-types.ts, `npm run gen:api`), the one thing outside web/ it imports.
    files: ['web/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)src/(api|app|audit|cli|config|core|governance|identity|mcp|metrics|orchestrators|policy|secrets|store)(/|\\.ts$|$)', message: 'The console calls only the REST API; its types come from contract/.' },
        { regex: '^(\\.\\./)+(src|harness|test|scripts|bench|bin)(/|$)', message: 'The console imports nothing outside web/ but contract/.' },
      ] }],
    },
  },
  {
    // Only src/metrics knows prom-client; the domains get narrow recorders or are wrapped by the composition root.
    files: ['src/**/*.ts'],
    ignores: ['src/metrics/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'prom-client', message: 'Use src/metrics (its recorders or registerGauge); only it imports prom-client.' }] }] },
  },
  ...boundaryRules,
)
