/**
 * Data keys are stored wrapped (encrypted) by a key the application keeps
 * outside the database: a master key given to `EventStore.connect`, or a
 * KeyProvider that asks a KMS / HSM to wrap and unwrap them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../errors';
import { describe, invalidValue } from '../../validation';

/** Which key is being wrapped: bind it to its subject and generation (e.g. as a KMS encryption context). */
export interface KeyContext {
  readonly subjectId: string;
  readonly generation: number;
}

/** Wraps and unwraps subjects' data keys (32 random bytes each); a KMS plugs in here. */
export interface KeyProvider {
  wrapKey(dataKey: Buffer, context: KeyContext): Promise<Uint8Array> | Uint8Array;
  /** The data key back; throws when `wrappedKey` was not wrapped by this provider for this context. */
  unwrapKey(wrappedKey: Buffer, context: KeyContext): Promise<Uint8Array> | Uint8Array;
}

export type PersonalDataOptions =
  /** 32 bytes: a Buffer / Uint8Array, or their base64 text. */
  | { masterKey: Uint8Array | string; keyProvider?: undefined }
  | { keyProvider: KeyProvider; masterKey?: undefined };

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM under one master key; the context is the authenticated data, so a wrapped key only opens for its own subject. */
export class MasterKeyProvider implements KeyProvider {
  private readonly masterKey: Buffer;

  constructor(masterKey: Uint8Array | string) {
    this.masterKey = masterKeyBytes(masterKey);
  }

  wrapKey(dataKey: Buffer, context: KeyContext): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(contextBytes(context));
    const sealed = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]);
  }

  unwrapKey(wrappedKey: Buffer, context: KeyContext): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, wrappedKey.subarray(0, IV_BYTES));
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(wrappedKey.subarray(wrappedKey.length - TAG_BYTES));
    return Buffer.concat([decipher.update(wrappedKey.subarray(IV_BYTES, wrappedKey.length - TAG_BYTES)), decipher.final()]);
  }
}

function contextBytes(context: KeyContext): Buffer {
  return Buffer.from(JSON.stringify(['eventstore-data-key', context.subjectId, context.generation]));
}

function masterKeyBytes(masterKey: unknown): Buffer {
  let bytes: Buffer | undefined;
  if (masterKey instanceof Uint8Array) bytes = Buffer.from(masterKey);
  else if (typeof masterKey === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(masterKey)) bytes = Buffer.from(masterKey, 'base64');
  if (bytes === undefined || bytes.length !== KEY_BYTES) {
    const got = bytes !== undefined ? `${bytes.length} bytes` : describe(masterKey);
    throw new InvalidArgumentError('personalData.masterKey', `expected ${KEY_BYTES} bytes (a Buffer, or base64 text, e.g. from randomBytes(32)), got ${got}`);
  }
  return bytes;
}

/** The key provider of the store's `personalData` option; undefined when the option is absent. */
export function resolveKeyProvider(options: unknown): KeyProvider | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw invalidValue('personalData', '{ masterKey } or { keyProvider }', options);
  const { masterKey, keyProvider } = options as { masterKey?: unknown; keyProvider?: unknown };
  if ((masterKey === undefined) === (keyProvider === undefined)) {
    throw new InvalidArgumentError('personalData', 'expected exactly one of masterKey and keyProvider');
  }
  if (masterKey !== undefined) return new MasterKeyProvider(masterKey as Uint8Array);
  const provider = keyProvider as KeyProvider | null;
  if (typeof provider?.wrapKey !== 'function' || typeof provider.unwrapKey !== 'function') {
    throw invalidValue('personalData.keyProvider', 'an object with wrapKey and unwrapKey methods', keyProvider);
  }
  return provider;
}
