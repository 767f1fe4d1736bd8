/** Helpers of the domain specs. */

/** The error `fn` throws; fails when it throws none. */
export function caughtSync(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

/** A promise that resolves once `count` parties have arrived. */
export function barrier(count: number): { arrive(): Promise<void> } {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    arrive() {
      if (++arrived >= count) open();
      return opened;
    },
  };
}
