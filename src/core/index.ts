export { ConductorError, ERROR_CODES, isConductorError } from './errors.ts'
export type { ConductorErrorOptions, ErrorCode } from './errors.ts'
export { fixedClock, randomIds, sequentialIds, systemClock } from './clock.ts'
export type { Clock, IdGenerator } from './clock.ts'
