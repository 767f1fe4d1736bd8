/** Where the event browser listens unless told otherwise: this machine only. */
export const DEFAULT_UI_HOST = '127.0.0.1';
export const DEFAULT_UI_PORT = 4600;
