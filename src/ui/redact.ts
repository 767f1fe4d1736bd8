/** Connection URLs can carry passwords: nothing the browser shows, answers or logs may contain one. */

const URL_WITH_CREDENTIALS = /\b(postgres(?:ql)?):\/\/[^\s'"@/]*@/gi;

/** `postgres://user:secret@host/db` becomes `postgres://…@host/db`, wherever it appears in a text. */
export function redactSecrets(text: string): string {
  return text.replace(URL_WITH_CREDENTIALS, '$1://…@');
}

/** What the page may say about the database: its name and server, never the user or password. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres';
    return `${database} on ${parsed.hostname || 'localhost'}${parsed.port ? `:${parsed.port}` : ''}`;
  } catch {
    return 'the database';
  }
}
