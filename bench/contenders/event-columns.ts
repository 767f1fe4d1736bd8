/** A batch of bench events as the column arrays that SQL contenders pass to `unnest`. */
import type { BenchEvent } from '../fixtures';

export interface EventColumns {
  ids: string[];
  eventTypes: string[];
  data: string[];
  metadata: string[];
  /** Causation and correlation ids: none in the bench. */
  nulls: null[];
}

export function eventColumns(events: readonly BenchEvent[]): EventColumns {
  const n = events.length;
  const columns: EventColumns = {
    ids: new Array<string>(n), eventTypes: new Array<string>(n), data: new Array<string>(n), metadata: new Array<string>(n),
    nulls: new Array<null>(n).fill(null),
  };
  for (let i = 0; i < n; i++) {
    const e = events[i];
    columns.ids[i] = e.eventId;
    columns.eventTypes[i] = e.eventType;
    columns.data[i] = JSON.stringify(e.data);
    columns.metadata[i] = JSON.stringify(e.metadata);
  }
  return columns;
}
