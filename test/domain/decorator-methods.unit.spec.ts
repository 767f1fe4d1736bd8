import { Apply, DomainEvent, Handles } from '../../src';
import { expectInvalidArgument } from '../support/invalid-argument';

@DomainEvent('DecoratorMethodsSpecEvent')
class Happened {}

/** Applies `decorator` to `method` of a class (`isStatic`: to the class itself) as TypeScript would. */
function decorate(decorator: MethodDecorator, isStatic: boolean, value: unknown): void {
  class Target {}
  const target = isStatic ? Target : Target.prototype;
  decorator(target, 'on', { value, writable: true, enumerable: false, configurable: true });
}

describe('@Apply and @Handles on what is not an instance method (unit)', () => {
  for (const [name, decorator, kind] of [
    ['@Apply', Apply(Happened) as MethodDecorator, 'apply handlers'],
    ['@Handles', Handles(Happened) as MethodDecorator, 'handlers'],
  ] as const) {
    it(`${name}: a static method`, () => {
      expectInvalidArgument(() => decorate(decorator, true, () => undefined), name, new RegExp(`^Invalid ${name}: on of Target is static; ${kind} are instance methods$`));
    });
    it(`${name}: a property that is not a function`, () => {
      expectInvalidArgument(() => decorate(decorator, false, 42), name, new RegExp(`^Invalid ${name}: on of Target is not a method$`));
    });
  }
});
