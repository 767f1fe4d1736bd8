/** What `sub.ack(…)` was given, as an event number. */
import { InvalidArgumentError } from '../errors';
import { invalidValue } from '../validation';

/**
 * An event number, an event (its `eventNumber`, or the number of the event
 * a mapped object was made from), or a batch (its last event).
 */
export function ackedEventNumber(target: unknown, mapped: WeakMap<object, number>): number {
  let value = target;
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InvalidArgumentError('events', 'an empty batch acknowledges nothing');
    value = value[value.length - 1];
  }
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else if (value !== null && typeof value === 'object') {
    const fromMapper = mapped.get(value);
    if (fromMapper !== undefined) return fromMapper;
    const eventNumber = (value as { eventNumber?: unknown }).eventNumber;
    if (typeof eventNumber === 'number' && Number.isSafeInteger(eventNumber) && eventNumber >= 0) return eventNumber;
  }
  throw invalidValue('events', 'an event, a batch of events or an event number', target);
}
