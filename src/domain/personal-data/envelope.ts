/**
 * The stored form of a personal value: the value's JSON, encrypted with
 * AES-256-GCM under the subject's data key, in an object that names the key:
 *
 *     { "$pd": 1, "s": "<subject id>", "k": <key generation>, "c": "<base64 of iv | ciphertext | tag>" }
 *
 * Raw reads (`readStreamForward`, subscriptions) return this object; the
 * domain layer and `store.revealPersonalData` replace it with the value, or
 * with null once the key is destroyed. The subject and generation are the
 * authenticated data, so a ciphertext cannot be moved to another subject.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Envelope {
  $pd: 1;
  /** The subject. */
  s: string;
  /** The key generation. */
  k: number;
  /** base64 of iv (12 bytes) | ciphertext | tag (16 bytes). */
  c: string;
}

/** A subject's data key, unwrapped. */
export interface DataKey {
  readonly subjectId: string;
  readonly generation: number;
  readonly key: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function isEnvelope(value: unknown): value is Envelope {
  return value !== null && typeof value === 'object' && (value as Envelope).$pd === 1
    && typeof (value as Envelope).s === 'string' && typeof (value as Envelope).k === 'number' && typeof (value as Envelope).c === 'string';
}

/** `json` (a value's JSON text) sealed under the key. */
export function seal(json: string, dataKey: DataKey): Envelope {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
  cipher.setAAD(aad(dataKey.subjectId, dataKey.generation));
  const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return { $pd: 1, s: dataKey.subjectId, k: dataKey.generation, c: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64') };
}

/** The sealed value (parsed JSON); throws when the key or the ciphertext is not the right one. */
export function open(envelope: Envelope, key: Buffer): unknown {
  const bytes = Buffer.from(envelope.c, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(aad(envelope.s, envelope.k));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const json = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  return JSON.parse(json);
}

function aad(subjectId: string, generation: number): Buffer {
  return Buffer.from(JSON.stringify([subjectId, generation]));
}

/** Calls `visit` on every envelope in a JSON value (not inside envelopes). */
export function forEachEnvelope(value: unknown, visit: (envelope: Envelope) => void): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) forEachEnvelope(item, visit);
    return;
  }
  if (isEnvelope(value)) {
    visit(value);
    return;
  }
  for (const key in value) forEachEnvelope((value as Record<string, unknown>)[key], visit);
}

/** A copy of a JSON value with each envelope replaced by `replace(envelope)`; the value itself when it holds none. */
export function replaceEnvelopes(value: unknown, replace: (envelope: Envelope) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isEnvelope(value)) return replace(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = replaceEnvelopes(value[i], replace);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const replaced = replaceEnvelopes(item, replace);
    if (replaced !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = replaced;
  }
  return copy ?? value;
}
