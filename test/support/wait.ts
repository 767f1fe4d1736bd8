/** Bounded waits for every spec: one polling loop, failing with what it waited for. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface PollOptions {
  /** Fails after this long; default 8000. */
  timeoutMs?: number;
  /** Pause between two checks; default 5 (use more when each check is a query). */
  intervalMs?: number;
}

/**
 * Reads a value until `predicate` holds for it and returns that value;
 * throws after `timeoutMs`, naming `what` and the last value read.
 */
export async function eventually<T>(read: () => T | Promise<T>, predicate: (value: T) => boolean, what: string, options: PollOptions = {}): Promise<T> {
  const { timeoutMs = 8000, intervalMs = 5 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}; last value: ${lastValue(value)}`);
    await sleep(intervalMs);
  }
}

/** Waits until `condition` holds; fails with `what` after `timeoutMs` (default 8000). */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs?: number, intervalMs?: number): Promise<void> {
  await eventually(condition, (holds) => holds, what, { timeoutMs, intervalMs });
}

function lastValue(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 200 ? `${json.slice(0, 200)}…` : json;
  } catch {
    return String(value);
  }
}
