export { ConductorError, ERROR_CODES, ERROR_KINDS, ERRORS, errorKind, isConductorError, isErrorCode } from './errors.ts'
export type { ConductorErrorOptions, ErrorCode, ErrorKind } from './errors.ts'
export { fixedClock, randomIds, sequentialIds, systemClock } from './clock.ts'
export type { Clock, IdGenerator } from './clock.ts'
