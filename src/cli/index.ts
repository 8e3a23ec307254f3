/** The `conductor` command's front door, for whatever runs or checks it from outside src/cli (bin/conductor runs main.ts). */
export { buildCli, runCli } from './main.ts'
export { CLI_ERROR_KINDS, EXIT, EXIT_BY_KIND, exitCodeForApiError, exitCodeForCode } from './api-client.ts'
