/** Errors of the event browser's JSON API; each becomes one HTTP status with a one-line message. */
import { EventStoreError } from '../errors';

/** A request parameter the API cannot use: answered with 400 and the message. */
export class UiBadRequestError extends EventStoreError {
  readonly code = 'ui_bad_request';
  readonly status = 400;
}

/** Something asked for is not there (an event position, a projection): 404. */
export class UiNotFoundError extends EventStoreError {
  readonly code = 'ui_not_found';
  readonly status = 404;
}

/** A write asked of a browser started without `--allow-admin`, or without what it needs: 403. */
export class UiForbiddenError extends EventStoreError {
  readonly code = 'ui_forbidden';
  readonly status = 403;
}
