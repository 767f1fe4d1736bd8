/** The projections' public names (re-exported by src/index.ts). */
export { Handles, Projection, type ProjectionHandlerDecorator } from './decorators';
export {
  DuplicateProjectionError,
  ProjectionBusyError,
  ProjectionFailedError,
  ProjectionHandlerError,
  ProjectionNotFoundError,
  ProjectionNotRegisteredError,
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
  type ProjectionOptions,
  type ProjectionResetContext,
  type ProjectionRunnerOptions,
  type ProjectionState,
  type ProjectionStatus,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './projection-options';
export { ProjectionRunner, type ProjectionRunnerEvents } from './projection-runner';
