/**
 * `tail`'s output, one line per event: a short text line
 * (`#42 2026-11-29T10:15:54.123Z order-7@3 OrderPaid {"amount":12}`) or,
 * with `--json`, the whole RecordedEvent as one JSON object.
 */
import type { RecordedEvent } from '../types';

/** The most characters of data a text line shows; `--full` shows all of it. */
export const DATA_WIDTH = 120;

export interface TailFormat {
  json: boolean;
  full: boolean;
}

export function formatEvent(event: RecordedEvent, format: TailFormat): string {
  if (format.json) return JSON.stringify(event);
  const data = JSON.stringify(event.data) ?? 'null';
  return [
    `#${event.position}`,
    event.createdAt.toISOString(),
    `${oneLine(event.streamId)}@${event.streamVersion}`,
    oneLine(event.eventType),
    format.full ? data : shorten(data, DATA_WIDTH),
  ].join(' ');
}

/** Cut to `width` characters, the last one an ellipsis; whole code points, so no half surrogate pair is printed. */
function shorten(text: string, width: number): string {
  if (text.length <= width) return text;
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** Stream ids and event types may hold line breaks: escaped, so that an event stays on one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
}
