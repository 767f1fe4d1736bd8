/** NDJSON lines as parsed values; a line that is not JSON stops with its number. */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ImportError } from './exported-event';

/** Parses `input` line by line (the n-th value is line n; a final empty line is allowed). */
export async function* parseNdjson(input: Readable): AsyncGenerator<unknown> {
  let line = 0;
  let blank = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') { blank = blank || line; continue; }
    if (blank) throw new ImportError('malformed_json', blank, 'empty line');
    try {
      yield JSON.parse(text);
    } catch (error) {
      throw new ImportError('malformed_json', line, (error as Error).message);
    }
  }
}
