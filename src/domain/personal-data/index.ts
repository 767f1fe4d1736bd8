/** Crypto-shredding's public names (re-exported by src/index.ts). */
export { DataSubject, PersonalData } from './decorators';
export { PersonalDataKeyError, PersonalDataNotConfiguredError } from './errors';
export { MasterKeyProvider, type KeyContext, type KeyProvider, type PersonalDataOptions } from './key-provider';
export { KeyContentionError } from './key-store';
export { SUBJECT_FORGOTTEN_STREAM, SubjectForgotten } from './subject-forgotten';
