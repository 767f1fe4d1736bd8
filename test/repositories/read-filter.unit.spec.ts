import { expect } from 'chai';
import { InvalidArgumentError } from '../../src';
import { resolveFilter } from '../../src/repositories/read-filter';
import { expectInvalidArgument } from '../support/invalid-argument';

describe('$all filters', () => {
  it('reads undefined and null as no filter', () => {
    expect(resolveFilter(undefined)).to.equal(undefined);
    expect(resolveFilter(null)).to.equal(undefined);
  });

  it('sorts and de-duplicates the event types', () => {
    expect(resolveFilter({ eventTypes: ['b', 'a', 'b'] })!.eventTypes).to.deep.equal(['a', 'b']);
  });

  it('gives equal filters one key, and different filters different keys', () => {
    const key = (filter: object) => resolveFilter(filter)!.key;
    expect(key({ eventTypes: ['b', 'a'] })).to.equal(key({ eventTypes: ['a', 'b', 'a'] }));
    expect(key({ eventTypes: ['a'] })).to.not.equal(key({ eventTypes: ['a'], streamPrefix: 'x' }));
    expect(key({ streamPrefix: 'a' })).to.not.equal(key({ eventTypes: ['a'] }));
  });

  it('keeps a stream prefix as given, and leaves out what is not set', () => {
    expect(resolveFilter({ streamPrefix: 'order-' })).to.deep.equal({ streamPrefix: 'order-', key: '[null,"order-"]' });
  });

  const bad: Array<[string, unknown, string, RegExp]> = [
    ['a string', 'Paid', 'options.filter', /expected an object/],
    ['an array', ['Paid'], 'options.filter', /got an array/],
    ['an unknown key', { eventType: ['Paid'] }, 'options.filter', /unknown key "eventType"/],
    ['neither key', {}, 'options.filter', /got neither/],
    ['types that are not an array', { eventTypes: 'Paid' }, 'options.filter.eventTypes', /expected an array/],
    ['no types', { eventTypes: [] }, 'options.filter.eventTypes', /at least one/],
    ['too many types', { eventTypes: Array.from({ length: 1001 }, (_, i) => `T${i}`) }, 'options.filter.eventTypes', /at most 1000/],
    ['an empty type', { eventTypes: ['A', ''] }, 'options.filter.eventTypes[1]', /non-empty string/],
    ['a type that is not a string', { eventTypes: [3] }, 'options.filter.eventTypes[0]', /got 3/],
    ['a type with NUL', { eventTypes: ['A\u0000'] }, 'options.filter.eventTypes[0]', /NUL/],
    ['an empty prefix', { streamPrefix: '' }, 'options.filter.streamPrefix', /non-empty string/],
    ['a $ prefix', { streamPrefix: '$et' }, 'options.filter.streamPrefix', /never start with "\$"/],
    ['a prefix with NUL', { streamPrefix: 'a\u0000' }, 'options.filter.streamPrefix', /NUL/],
  ];
  for (const [label, filter, argument, message] of bad) {
    it(`refuses ${label}, naming the argument`, () => expectInvalidArgument(() => resolveFilter(filter), argument, message));
  }

  it('names the argument it is given', () => {
    expect(() => resolveFilter({}, 'filter')).to.throw(InvalidArgumentError, /Invalid filter:/);
  });
});
