/**
 * `@DataSubject()` and `@PersonalData()`: they record, per class, which
 * property names the data subject and which properties hold personal data.
 * The behaviour lives in plan.ts (what to encrypt) and personal-data.ts.
 */
import { InvalidArgumentError } from '../../errors';

interface ClassMarks {
  subject?: string;
  fields: Set<string>;
}

/** The marks of each class itself (not of its base classes); written by the decorators only. */
const marksByClass = new Map<Function, ClassMarks>();

function marksOf(target: Function): ClassMarks {
  let marks = marksByClass.get(target);
  if (!marks) marksByClass.set(target, (marks = { fields: new Set() }));
  return marks;
}

function propertyName(decorator: string, target: object, property: string | symbol): string {
  if (typeof target === 'function') throw new InvalidArgumentError(decorator, `${String(property)} of ${target.name} is static`);
  if (typeof property !== 'string') throw new InvalidArgumentError(decorator, `${String(property)}: only string-named properties are stored as JSON`);
  return property;
}

/**
 * Marks the property that names whose data the event holds (a non-empty
 * string: the subject's id). Personal fields of the event, nested ones
 * included, are encrypted with that subject's key.
 */
export function DataSubject(): PropertyDecorator {
  return (target, property) => {
    const name = propertyName('@DataSubject', target, property);
    const marks = marksOf(target.constructor);
    if (marks.subject !== undefined && marks.subject !== name) {
      throw new InvalidArgumentError('@DataSubject', `${target.constructor.name} already names its subject in ${marks.subject}`);
    }
    marks.subject = name;
  };
}

/**
 * Marks a property that holds personal data: stored encrypted with the data
 * subject's key, read back as null once the subject is forgotten. On event
 * classes and on the classes of their nested `@Type(() => Class)` properties.
 */
export function PersonalData(): PropertyDecorator {
  return (target, property) => {
    marksOf(target.constructor).fields.add(propertyName('@PersonalData', target, property));
  };
}

/** @internal The subject property and the personal fields of a class and its base classes. */
export function personalMarks(cls: Function): { subject?: string; fields: string[] } {
  const fields = new Set<string>();
  let subject: string | undefined;
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const marks = marksByClass.get(c as Function);
    if (!marks) continue;
    subject ??= marks.subject;
    for (const field of marks.fields) fields.add(field);
  }
  return { subject, fields: [...fields] };
}
