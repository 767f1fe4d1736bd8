/** The projections' public names (re-exported by src/index.ts). */
export { Handles, Projection, type ProjectionHandlerDecorator } from './decorators';
export {
  DuplicateProjectionError,
  ProjectionBusyError,
  ProjectionFailedError,
  ProjectionHandlerError,
  ProjectionNotFoundError,
  ProjectionNotRegisteredError,
  ProjectionEventParkedError,
  ProjectionWaitTimeoutError,
  ReadModelNotRegisteredError,
  RebuildInterruptedError,
} from './errors';
export { type ProjectionClass } from './projection-definition';
export {
  PROJECTION_DEFAULTS,
  type ProjectionBatchContext,
  type PreparedOf,
  type ProjectionContext,
  type ProjectionFailure,
  type PoisonEventPolicy,
  type ProjectionOptions,
  type ProjectionResetContext,
  type ProjectionRunnerOptions,
  type ProjectionState,
  type ProjectionStatus,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
  type WaitForOptions,
} from './projection-options';
export { type ParkedEvent, type ReplayParkedResult } from './parking/parked-events';
export { ProjectionRunner, type ProjectionRunnerEvents } from './projection-runner';
