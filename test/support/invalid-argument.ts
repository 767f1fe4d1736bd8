/** Assertions on refused input, for specs that call validation directly (no store, no database). */
import { expect } from 'chai';
import { InvalidArgumentError } from '../../src';
import { caughtSync } from '../domain/helpers';

/** `fn` throws InvalidArgumentError (code `invalid_argument`) naming `argument`, its message matching `message` when given. */
export function expectInvalidArgument(fn: () => unknown, argument: string, message?: RegExp): void {
  const error = caughtSync(fn);
  expect(error, String(error)).to.be.instanceOf(InvalidArgumentError);
  expect(error.code).to.equal('invalid_argument');
  expect(error.argument).to.equal(argument);
  if (message) expect(error.message).to.match(message);
}
