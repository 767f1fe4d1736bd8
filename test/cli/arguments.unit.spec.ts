import { expect } from 'chai';
import { CliConfigurationError, ExitCode } from '../../src/cli/cli-errors';
import { resolveConnection } from '../../src/cli/connection-options';
import { resolveTailOptions } from '../../src/cli/commands/tail';
import { resolveUiOptions } from '../../src/cli/commands/ui';
import { runCli } from '../../src/cli/program';
import { caughtSync } from '../domain/helpers';

/** The CliConfigurationError `fn` throws (exit code 2: the command could not start). */
function configurationError(fn: () => unknown): CliConfigurationError {
  const error = caughtSync(fn);
  expect(error, String(error)).to.be.instanceOf(CliConfigurationError);
  expect(error.exitCode).to.equal(ExitCode.CannotStart);
  expect(error.code).to.equal('cli_configuration');
  return error;
}

/** `runCli` in this process, with no database anywhere: what it prints and its exit code. */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env });
  return { code, stdout, stderr };
}

describe('CLI arguments', () => {
  describe('--url and --schema', () => {
    it('take the flags over DATABASE_URL, and the public schema by default', () => {
      expect(resolveConnection({ url: 'postgres://flag/db' }, { DATABASE_URL: 'postgres://env/db' })).to.deep.equal({ url: 'postgres://flag/db', schema: 'public' });
      expect(resolveConnection({ schema: 'tenant_1' }, { DATABASE_URL: 'postgresql://env/db' })).to.deep.equal({ url: 'postgresql://env/db', schema: 'tenant_1' });
    });

    it('refuse a missing or blank URL with a hint', () => {
      expect(configurationError(() => resolveConnection({}, {})).message).to.equal('no database URL: pass --url or set DATABASE_URL');
      configurationError(() => resolveConnection({}, { DATABASE_URL: '  ' }));
    });

    it('refuse a URL that is not postgres:// without echoing it (it may hold a password)', () => {
      const error = configurationError(() => resolveConnection({ url: 'mysql://root:secret@host/db' }, {}));
      expect(error.message).to.equal('invalid --url: expected a postgres:// or postgresql:// URL, got mysql://…');
      const garbage = configurationError(() => resolveConnection({}, { DATABASE_URL: 'not a url secret' }));
      expect(garbage.message).to.match(/^invalid DATABASE_URL: not a URL/);
      expect(garbage.message).to.not.include('secret');
    });

    it('refuse an invalid schema name before anything else', () => {
      expect(configurationError(() => resolveConnection({ schema: 'Bad-Name' }, {})).message).to.match(/^invalid --schema: "Bad-Name" is not a valid schema name/);
    });
  });

  describe('tail', () => {
    it('follows $all, only new events, every type, by default', () => {
      expect(resolveTailOptions({})).to.deep.equal({ streamId: '$all', from: undefined, types: [], json: false, full: false, limit: undefined });
    });

    it('reads its flags', () => {
      expect(resolveTailOptions({ stream: 'order-1', from: '0', type: [' Paid ', 'Shipped'], json: true, full: true, limit: '3' }))
        .to.deep.equal({ streamId: 'order-1', from: 0, types: ['Paid', 'Shipped'], json: true, full: true, limit: 3 });
    });

    const bad: Array<[string, object, RegExp]> = [
      ['a reserved stream id', { stream: '$x' }, /^invalid --stream: .*reserved/],
      ['an empty type', { type: ['Paid', ' '] }, /^invalid --type: expected event type names, got "Paid, "/],
      ['a negative --from', { from: '-1' }, /^invalid --from: expected an integer >= 0, got "-1"/],
      ['a --from that is not a number', { from: 'start' }, /^invalid --from/],
      ['a fractional --from', { from: '1.5' }, /^invalid --from/],
      ['a --from beyond safe integers', { from: '9007199254740993' }, /^invalid --from/],
      ['a --limit of 0', { limit: '0' }, /^invalid --limit: expected an integer >= 1, got "0"/],
    ];
    for (const [label, flags, message] of bad) {
      it(`refuses ${label}`, () => expect(configurationError(() => resolveTailOptions(flags)).message).to.match(message));
    }
  });

  describe('ui', () => {
    const flags = { port: '4600', host: '127.0.0.1' };

    it('reads the port, host and admin flags', () => {
      expect(resolveUiOptions(flags)).to.deep.equal({ host: '127.0.0.1', port: 4600, allowAdmin: false, modulePath: undefined });
      expect(resolveUiOptions({ port: '0', host: ' ::1 ', allowAdmin: true, module: './p.js' })).to.deep.equal({ host: '::1', port: 0, allowAdmin: true, modulePath: './p.js' });
    });

    const bad: Array<[string, object, RegExp]> = [
      ['a port above 65535', { port: '65536' }, /^invalid --port: expected 0 to 65535, got "65536"/],
      ['a port that is not a number', { port: 'http' }, /^invalid --port/],
      ['a negative port', { port: '-1' }, /^invalid --port/],
      ['an empty host', { host: ' ' }, /^invalid --host/],
      ['a host that is a URL', { host: 'http://x' }, /^invalid --host/],
      ['--module without --allow-admin', { module: './p.js' }, /^--module is only used with --allow-admin$/],
    ];
    for (const [label, override, message] of bad) {
      it(`refuses ${label}`, () => expect(configurationError(() => resolveUiOptions({ ...flags, ...override })).message).to.match(message));
    }
  });

  describe('the program, before it connects', () => {
    it('prints the version and help with exit code 0', async () => {
      const version = await run(['--version']);
      expect(version.code).to.equal(ExitCode.Ok);
      expect(version.stdout).to.match(/^\d+\.\d+\.\d+/);
      const help = await run(['--help']);
      expect(help.code).to.equal(ExitCode.Ok);
      for (const command of ['init', 'migrate', 'status', 'reset', 'drop', 'rebuild', 'tail', 'roles', 'ui', 'replay-parked', 'export', 'import']) {
        expect(help.stdout).to.match(new RegExp(`\\n  ${command}\\b`), command);
      }
    });

    const refused: Array<[string, string[], RegExp]> = [
      ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
      ['an unknown option', ['status', '--colour'], /unknown option '--colour'/],
      ['an extra argument', ['status', 'now'], /too many arguments/],
      ['a command without a URL', ['status'], /^error: no database URL: pass --url or set DATABASE_URL\n$/],
      ['a bad schema', ['init', '--schema', 'A', '--url', 'postgres://h/db'], /^error: invalid --schema/],
      ['tail with a bad --limit', ['tail', '--limit', 'all', '--url', 'postgres://h/db'], /^error: invalid --limit/],
      ['rebuild without --module', ['rebuild', 'balances', '--url', 'postgres://h/db'], /^error: required option '--module <path>' not specified\n$/],
      ['rebuild with a bad --wait', ['rebuild', 'balances', '--module', 'm.js', '--wait', 'soon', '--url', 'postgres://h/db'], /^error: invalid --wait/],
      ['roles without --owner', ['roles', '--app', 'app', '--url', 'postgres://h/db'], /required option '--owner <role>'/],
      ['ui on a bad port', ['ui', '--port', '99999', '--url', 'postgres://h/db'], /^error: invalid --port/],
    ];
    for (const [label, args, stderr] of refused) {
      it(`refuses ${label} with exit code 2 and says why on standard error`, async () => {
        const result = await run(args);
        expect(result.code, result.stderr).to.equal(ExitCode.CannotStart);
        expect(result.stderr).to.match(stderr);
        expect(result.stdout).to.equal('');
      });
    }
  });
});
