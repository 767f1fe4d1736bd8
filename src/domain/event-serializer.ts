/**
 * Domain events <-> stored events, with class-transformer. Writing stores
 * the registered type name and the class's schema version (in
 * `metadata.schemaVersion`); reading upcasts the stored JSON to the
 * class's version and builds an instance of the class (nested `@Type`
 * classes, `@Type(() => Date)` dates and `@BigIntField()` bigints included;
 * classes without such decorators skip class-transformer, see instance-builder.ts).
 */
import { instanceToPlain } from 'class-transformer';
import type { EventData, RecordedEvent } from '../types';
import { assertObject, assertUuid, describe, invalidValue } from '../validation';
import { EventClassNotRegisteredError, EventDeserializationError, UnknownEventTypeError } from './errors';
import { InstanceBuilder } from './instance-builder';
import { DomainRegistry, domainRegistry } from './registry';
import { SCHEMA_VERSION_KEY, storedSchemaVersion, upcast } from './upcasters';

export interface EventSerializerOptions {
  /**
   * Reading an event whose type has no `@DomainEvent` class: `'error'`
   * throws UnknownEventTypeError (default); `'raw'` returns the RecordedEvent as read.
   */
  unknownEventType?: 'error' | 'raw' | undefined;
}

/** What a write carries besides the event itself. */
export interface EventEnvelope {
  /** Merged into the stored metadata (`schemaVersion` is set by the serializer). */
  metadata?: Record<string, unknown> | undefined;
  causationId?: string | undefined;
  correlationId?: string | undefined;
}

export class EventSerializer {
  readonly unknownEventType: 'error' | 'raw';

  /** `registry` and `instances` are the library's own (a repository shares its InstanceBuilder with its snapshots). */
  constructor(
    options: EventSerializerOptions = {},
    private readonly registry: DomainRegistry = domainRegistry,
    private readonly instances: InstanceBuilder = new InstanceBuilder(),
  ) {
    assertObject(options, 'options');
    const mode = options.unknownEventType ?? 'error';
    if (mode !== 'error' && mode !== 'raw') {
      throw invalidValue('options.unknownEventType', '"error" or "raw"', mode);
    }
    this.unknownEventType = mode;
  }

  /** The event as EventData for `appendToStream`. */
  serialize(event: object, envelope: EventEnvelope = {}): EventData {
    return this.serializeAll([event], envelope)[0];
  }

  /** Events as EventData for one `appendToStream`, all with the same envelope. */
  serializeAll(events: readonly object[], envelope: EventEnvelope = {}): EventData[] {
    assertEnvelope(envelope, 'envelope');
    return events.map((event) => {
      if (event === null || typeof event !== 'object' || Array.isArray(event)) {
        throw invalidValue('event', 'a @DomainEvent instance', event);
      }
      const info = this.registry.eventByClass(event.constructor);
      if (!info) throw new EventClassNotRegisteredError(event.constructor?.name ?? 'Object');
      return {
        eventType: info.name,
        data: instanceToPlain(event),
        metadata: { ...envelope.metadata, [SCHEMA_VERSION_KEY]: info.version },
        causationId: envelope.causationId ?? null,
        correlationId: envelope.correlationId ?? null,
      };
    });
  }

  /**
   * The event's class instance; in `'raw'` mode, the RecordedEvent itself
   * when its type is not registered.
   */
  deserialize(recorded: RecordedEvent): object {
    const info = this.registry.eventByName(recorded.eventType);
    if (!info) {
      if (this.unknownEventType === 'raw') return recorded;
      throw new UnknownEventTypeError(recorded.eventType, recorded.eventId);
    }
    const fromVersion = storedSchemaVersion(recorded.eventType, recorded.metadata, info.version);
    const data = upcast(this.registry, recorded.eventType, recorded.data, recorded.metadata, fromVersion, info.version);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new EventDeserializationError(recorded.eventType, recorded.eventId, `expected an object as data, got ${describe(data)}`);
    }
    try {
      return this.instances.build(info.eventClass, data);
    } catch (error) {
      throw new EventDeserializationError(recorded.eventType, recorded.eventId, (error as Error)?.message ?? String(error), { cause: error });
    }
  }
}

/** Checks a write's envelope (metadata, causation and correlation ids). */
export function assertEnvelope(envelope: EventEnvelope, argument: string): void {
  if (envelope === null || typeof envelope !== 'object') throw invalidValue(argument, 'an object', envelope);
  if (envelope.metadata !== undefined && (envelope.metadata === null || typeof envelope.metadata !== 'object' || Array.isArray(envelope.metadata))) {
    throw invalidValue(`${argument}.metadata`, 'an object', envelope.metadata);
  }
  if (envelope.causationId !== undefined) assertUuid(envelope.causationId, `${argument}.causationId`);
  if (envelope.correlationId !== undefined) assertUuid(envelope.correlationId, `${argument}.correlationId`);
}
