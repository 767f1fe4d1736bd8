/**
 * What to encrypt in the data of an event type: the personal fields of its
 * `@DomainEvent` class and, through `@Type(() => Class)` properties (single
 * values or arrays), those of nested classes; and the property naming the
 * data subject. Built once per class.
 */
import { InvalidArgumentError } from '../../errors';
import { domainRegistry } from '../registry';
import { personalMarks } from './decorators';
import { nestedTypes } from './nested-types';

export interface FieldPlan {
  /** Properties whose values are encrypted. */
  readonly fields: readonly string[];
  /** Properties holding a nested object (or an array of them) with personal fields. */
  readonly nested: ReadonlyArray<readonly [string, FieldPlan]>;
}

export interface EventPlan extends FieldPlan {
  readonly eventClass: Function;
  /** The property of the data that names the subject. */
  readonly subject: string;
}

const byClass = new Map<Function, EventPlan | null>();

/** The plan of the event type's registered class; null when it has no personal data (or no class). */
export function planForEventType(eventType: string): EventPlan | null {
  const eventClass = domainRegistry.eventByName(eventType)?.eventClass;
  if (!eventClass) return null;
  let plan = byClass.get(eventClass);
  if (plan === undefined) {
    plan = buildEventPlan(eventClass);
    byClass.set(eventClass, plan);
  }
  return plan;
}

/** The plan of an event instance's registered class; null when it has none. */
export function planForEvent(event: object): EventPlan | null {
  const name = domainRegistry.eventByClass(event.constructor)?.name;
  return name === undefined ? null : planForEventType(name);
}

function buildEventPlan(eventClass: Function): EventPlan | null {
  const fields = fieldPlan(eventClass, new Set());
  if (!fields) return null;
  const { subject } = personalMarks(eventClass);
  if (subject === undefined) {
    throw new InvalidArgumentError('@DataSubject', `${eventClass.name} has @PersonalData fields but no @DataSubject() property naming whose data they are`);
  }
  if (fields.fields.includes(subject)) {
    throw new InvalidArgumentError('@DataSubject', `${eventClass.name}.${subject} names the subject and cannot be @PersonalData itself`);
  }
  return { ...fields, eventClass, subject };
}

/** The personal fields of `cls` and its nested classes; null when there are none. */
function fieldPlan(cls: Function, visiting: Set<Function>): FieldPlan | null {
  if (visiting.has(cls)) return null; // a class nested in itself: its fields are covered where the walk began
  visiting.add(cls);
  const { fields } = personalMarks(cls);
  const nested: Array<readonly [string, FieldPlan]> = [];
  for (const [property, type] of nestedTypes(cls)) {
    if (fields.includes(property)) continue; // encrypted as a whole
    const inner = fieldPlan(type, visiting);
    if (inner) nested.push([property, inner]);
  }
  visiting.delete(cls);
  return fields.length === 0 && nested.length === 0 ? null : { fields, nested };
}
