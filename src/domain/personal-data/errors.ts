/** Errors of crypto-shredding. */
import { EventStoreError } from '../../errors';

/** Personal data to write or read, and the store was connected without `personalData` (no master key, no key provider). */
export class PersonalDataNotConfiguredError extends EventStoreError {
  readonly code = 'personal_data_not_configured';

  constructor(detail: string) {
    super(`${detail}: connect the store with { personalData: { masterKey } } or { personalData: { keyProvider } }`);
  }
}

/** A subject's data key cannot be unwrapped: another master key than the one that wrapped it, or a damaged key row. */
export class PersonalDataKeyError extends EventStoreError {
  readonly code = 'personal_data_key_invalid';

  constructor(readonly subjectId: string, readonly generation: number, options?: { cause?: unknown }) {
    super(`The data key of subject ${JSON.stringify(subjectId)} (generation ${generation}) cannot be unwrapped: ` +
      'is this the master key (or key provider) that wrapped it?', options);
  }
}
