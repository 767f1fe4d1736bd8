/**
 * The browser's write actions, only when started with `--allow-admin`:
 * rebuilding a projection (reset its read model and checkpoint, replay
 * `$all`) and replaying parked events. Each needs a confirmation token
 * first: the page asks for one, shows its prompt, and posts the action with
 * it. A token is for one action on one target, used once, and expires.
 */
import { randomBytes } from 'node:crypto';
import type { ReplayParkedResult } from '../projections/parking/parked-events';
import type { ProjectionRunner } from '../projections/projection-runner';
import { UiBadRequestError, UiForbiddenError, UiNotFoundError } from './errors';

export type AdminActionName = 'rebuild' | 'replay-parked';
export const ADMIN_ACTIONS: readonly AdminActionName[] = ['rebuild', 'replay-parked'];

const TOKEN_TTL_MS = 2 * 60_000;

export interface Confirmation {
  token: string;
  action: AdminActionName;
  target: string;
  /** What the page asks the person to confirm. */
  prompt: string;
  expiresAt: string;
}

export class AdminActions {
  private readonly tokens = new Map<string, { action: AdminActionName; target: string; expires: number }>();

  constructor(readonly enabled: boolean, private readonly runner?: ProjectionRunner) {}

  /** The projections this browser can rebuild (those of `--module`). */
  get rebuildable(): string[] {
    return this.enabled && this.runner ? [...this.runner.names] : [];
  }

  get canReplayParked(): boolean {
    return this.enabled && this.runner !== undefined;
  }

  confirm(action: AdminActionName, target: string): Confirmation {
    this.assertAllowed(target);
    const token = randomBytes(18).toString('base64url');
    const expires = Date.now() + TOKEN_TTL_MS;
    this.tokens.set(token, { action, target, expires });
    return { token, action, target, prompt: promptOf(action, target), expiresAt: new Date(expires).toISOString() };
  }

  async rebuild(projection: string, token: unknown): Promise<{ events: number; position: number; elapsedMs: number }> {
    this.redeem('rebuild', projection, token);
    const result = await this.runner!.rebuild(projection, { ownershipTimeoutMs: 10_000 });
    return { events: result.events, position: result.position, elapsedMs: result.elapsedMs };
  }

  async replayParked(projection: string, token: unknown): Promise<ReplayParkedResult> {
    this.redeem('replay-parked', projection, token);
    return this.runner!.replayParked(projection);
  }

  private assertAllowed(target: string): void {
    if (!this.enabled) throw new UiForbiddenError('read-only: start the browser with --allow-admin to rebuild projections or replay parked events');
    if (!this.runner) throw new UiForbiddenError('no projections loaded: start the browser with --allow-admin --module <path> (the module that exports `projections`)');
    if (!this.runner.names.includes(target)) throw new UiNotFoundError(`no projection ${JSON.stringify(target)} in the loaded module`);
  }

  /** Checks and uses up the token: refused when missing, unknown, expired, or for another action or target. */
  private redeem(action: AdminActionName, target: string, token: unknown): void {
    this.assertAllowed(target);
    if (typeof token !== 'string' || token === '') throw new UiBadRequestError('missing confirmation token: ask for one with POST /api/admin/confirmations');
    const entry = this.tokens.get(token);
    this.tokens.delete(token);
    for (const [key, value] of this.tokens) if (value.expires < Date.now()) this.tokens.delete(key);
    if (!entry || entry.expires < Date.now() || entry.action !== action || entry.target !== target) {
      throw new UiBadRequestError('invalid confirmation token: unknown, used, expired, or for another action');
    }
  }
}

function promptOf(action: AdminActionName, target: string): string {
  return action === 'rebuild'
    ? `Rebuild projection "${target}"? Its read model is cleared and $all is replayed into it.`
    : `Replay the parked events of projection "${target}"?`;
}
