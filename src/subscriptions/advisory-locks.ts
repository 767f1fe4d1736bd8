/**
 * The store's advisory-lock connection: a dedicated node-postgres client
 * (not a pool slot, and not the LISTEN connection, so that a LISTEN
 * reconnection never deposes an owner), opened when a persistent
 * subscription first asks for a lock and closed when none needs it.
 *
 * Session-level locks live exactly as long as this session, so the session
 * is the lease:
 * - the client sends a heartbeat every `leaseMs / 4`. The lease holds while
 *   the connection last answered less than `leaseMs / 2` ago; holders check
 *   it (`leaseHeld()`) before every delivery, and once it has run out (a
 *   frozen process, a connection that went quiet) the connection counts as
 *   lost;
 * - the server ends the session after `leaseMs` without a query
 *   (`idle_session_timeout`, PostgreSQL 14+), so the locks of a frozen or
 *   cut-off process come free without anyone's help, but only after the
 *   holder itself has given up;
 * - a process that dies closes its socket, and the server frees its locks at once.
 * When the connection is lost, every holder hears it at once and stops
 * delivering.
 */
import { Client, ClientConfig } from 'pg';
import type { Statement } from '../repositories/sql-runner';
import { OwnershipLostError } from '../errors';

export interface LockHolder {
  lockLost(error: Error): void;
}

export interface AdvisoryLocksOptions {
  connection: ClientConfig;
  tryLock: Statement;
  unlock: Statement;
  leaseMs: number;
  /** Connection trouble worth reporting (a lost connection while locks were held). */
  onError: (error: Error) => void;
}

export class AdvisoryLocks {
  private client?: Client;
  private connecting?: Promise<Client>;
  private readonly held = new Map<number, LockHolder>();
  private heartbeat?: NodeJS.Timeout;
  private heartbeatPending = false;
  /** When the connection last answered. */
  private confirmedAt = 0;
  private closed = false;
  /** Queries on the connection run one after another (node-postgres queues them, but warns). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AdvisoryLocksOptions) {}

  /** Takes the lock `key` for `holder` without waiting; false when another session holds it. */
  async tryLock(key: number, holder: LockHolder): Promise<boolean> {
    if (this.held.has(key)) {
      this.held.set(key, holder);
      return true;
    }
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let rows;
      try {
        rows = await this.query(client, this.options.tryLock.text, [key]);
      } catch (error) {
        // The connection was closed or lost under us (nobody held a lock on it): once more on a new one.
        if (attempt === 1 && this.client !== client && !this.closed) continue;
        throw error;
      }
      if (!rows[0].locked) return false;
      // The connection died while we asked: the lock died with it.
      if (this.client !== client) return false;
      this.held.set(key, holder);
      return true;
    }
  }

  async unlock(key: number): Promise<void> {
    if (!this.held.delete(key)) return;
    const client = this.client;
    if (!client) return;
    // A failure means the session is gone, and its locks with it.
    await this.query(client, this.options.unlock.text, [key]).catch(() => undefined);
  }

  holds(key: number): boolean {
    return this.held.has(key);
  }

  /** The lock connection's backend pid (tests terminate it to prove that owners step down). */
  async backendPid(): Promise<number | undefined> {
    const client = this.client;
    if (!client) return undefined;
    const rows = await this.query(client, 'select pg_backend_pid() as pid', []);
    return rows[0].pid as number;
  }

  /** Closes the connection when no lock is held (nobody needs it until the next tryLock). */
  async disconnectIfIdle(): Promise<void> {
    if (this.held.size > 0) return;
    await this.disconnect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.held.clear();
    await this.disconnect();
  }

  private async disconnect(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.stopHeartbeat();
    // Ending the session releases whatever it still held.
    if (client) await client.end().catch(() => undefined);
  }

  private connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('the advisory-lock connection is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({ ...this.options.connection, keepAlive: true });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('advisory-lock connection ended')));
    try {
      await client.connect();
      await client.query(`set idle_session_timeout = ${Math.round(this.options.leaseMs)}`).catch(() => undefined); // before 14: no server-side lease
    } catch (error) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      throw new Error('the advisory-lock connection is closed');
    }
    this.client = client;
    this.confirmedAt = Date.now();
    this.startHeartbeat(client);
    return client;
  }

  /**
   * Whether the lease still holds (the connection answered less than
   * `leaseMs / 2` ago). When it has run out, the connection is dropped and
   * every holder is told at once.
   */
  leaseHeld(): boolean {
    const client = this.client;
    if (!client) return false;
    if (Date.now() - this.confirmedAt < this.options.leaseMs / 2) return true;
    this.lost(client, new Error(`advisory-lock connection did not answer for ${this.options.leaseMs / 2} ms: lease expired`));
    return false;
  }

  private query(client: Client, text: string, values: unknown[]): Promise<any[]> {
    const result = this.queue.then(() => client.query(text, values)).then((r) => {
      if (this.client === client) this.confirmedAt = Date.now();
      return r.rows;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private startHeartbeat(client: Client): void {
    this.stopHeartbeat();
    const every = Math.max(10, Math.floor(this.options.leaseMs / 4));
    this.heartbeat = setInterval(() => {
      if (this.client !== client || !this.leaseHeld() || this.heartbeatPending) return;
      this.heartbeatPending = true;
      this.query(client, 'select 1', []).then(
        () => {
          this.heartbeatPending = false;
        },
        (error: Error) => this.lost(client, error),
      );
    }, every);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.heartbeatPending = false;
  }

  private lost(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.stopHeartbeat();
    client.removeAllListeners();
    client.on('error', () => undefined);
    // end() also destroys a socket that hangs on a query.
    client.end().catch(() => undefined);
    const holders = [...this.held.values()];
    this.held.clear();
    // Holders report it to their subscriptions: an error with a code, the connection's own as its cause.
    const lostError = new OwnershipLostError(error.message, { cause: error });
    if (holders.length > 0 && !this.closed) this.options.onError(lostError);
    for (const holder of holders) holder.lockLost(lostError);
  }
}
