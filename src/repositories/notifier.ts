/**
 * The store's LISTEN connection: a dedicated node-postgres client (not a
 * pool slot, and usable behind a transaction-mode pooler when given a
 * session-mode URL). Notifications are only wake-up hints; whoever wakes
 * reads the database, which is the truth. A notification sent while the
 * connection was down is lost, so every (re)connection emits `connected`,
 * and listeners treat that as "something may have happened".
 */
import { EventEmitter } from 'node:events';
import { Client, ClientConfig } from 'pg';

export interface NotifierOptions {
  connection: ClientConfig;
  channel: string;
  /** First reconnection delay; doubles up to `maxReconnectDelayMs`. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  onError?: (error: Error) => void;
}

export interface NotifierEvents {
  notification: [payload: string];
  connected: [];
  disconnected: [error: Error];
}

export class Notifier extends EventEmitter<NotifierEvents> {
  private client?: Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private delay: number;
  private connecting?: Promise<void>;

  constructor(private readonly options: NotifierOptions) {
    super();
    this.delay = options.reconnectDelayMs ?? 100;
  }

  get isConnected(): boolean {
    return this.client !== undefined;
  }

  /** Connects and listens; resolves after the first LISTEN (rejects if the first attempt fails). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  /** The backend pid of the LISTEN connection (tests terminate it to prove recovery). */
  async backendPid(): Promise<number | undefined> {
    const client = this.client;
    if (!client) return undefined;
    const { rows } = await client.query('select pg_backend_pid() as pid');
    return rows[0].pid as number;
  }

  private connect(): Promise<void> {
    this.connecting = this.openClient().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async openClient(): Promise<void> {
    const client = new Client({ ...this.options.connection, keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.emit('notification', message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('LISTEN connection ended')));
    try {
      await client.connect();
      await client.query(`listen "${this.options.channel}"`);
    } catch (error) {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delay = this.options.reconnectDelayMs ?? 100;
    this.emit('connected');
  }

  private lost(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.options.onError?.(error);
    this.emit('disconnected', error);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, this.options.maxReconnectDelayMs ?? 5_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((error: Error) => {
        this.options.onError?.(error);
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }
}
