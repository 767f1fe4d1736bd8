/** Injection tokens of the NestJS module (the store itself is provided under the EventStore class). */
export const EVENT_STORE_MODULE_OPTIONS = 'mikro-orm-eventstore:module-options';
