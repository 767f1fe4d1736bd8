/**
 * `roles`: creates (or brings up to date) two roles for a store.
 * - the owner owns the store's schema objects and runs migrations (`init`,
 *   `migrate` connect as this role);
 * - the application role may read and write the store's rows and run its
 *   functions, nothing more: it cannot create, alter or drop anything. The
 *   store connects with it and finds its schema up to date without DDL.
 * Run it as a role that may create roles (a superuser or CREATEROLE); it
 * applies pending migrations itself first. Running it again changes nothing
 * that is already in place, and says so.
 */
import type { Command } from 'commander';
import type { Client } from 'pg';
import { CliIo, println } from '../cli-io';
import { CliConfigurationError } from '../cli-errors';
import { applyMigrations } from '../apply-migrations';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { inTransaction, withDatabase } from '../database';
import { ident, presentTables, roleExists, storeFunctions, tableSequences } from '../sql/roles.sql';
import { BOOKKEEPING_TABLE, storeObjects, storeTables } from '../store-layout';

interface RolesFlags extends ConnectionFlags {
  owner: string;
  app: string;
  ownerPassword?: string;
  appPassword?: string;
}

export interface RoleSettings {
  owner: string;
  app: string;
  ownerPassword?: string;
  appPassword?: string;
}

export function registerRoles(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('roles').description('create an owner role (migrations) and an application role (no DDL) for the store'))
    .requiredOption('--owner <role>', 'the role that owns the store and runs migrations')
    .requiredOption('--app <role>', 'the role the application connects with')
    .option('--owner-password <password>', "set the owner's password (default: $EVENTSTORE_OWNER_PASSWORD; none: unchanged)")
    .option('--app-password <password>', "set the application role's password (default: $EVENTSTORE_APP_PASSWORD; none: unchanged)")
    .action((flags: RolesFlags) => runRoles(resolveConnection(flags, io.env), {
      owner: flags.owner,
      app: flags.app,
      ownerPassword: flags.ownerPassword ?? io.env.EVENTSTORE_OWNER_PASSWORD,
      appPassword: flags.appPassword ?? io.env.EVENTSTORE_APP_PASSWORD,
    }, io));
}

export async function runRoles({ url, schema }: ConnectionSettings, roles: RoleSettings, io: CliIo): Promise<void> {
  for (const [flag, name] of [['--owner', roles.owner], ['--app', roles.app]] as const) {
    if (!/^[a-z_][a-z0-9_$]{0,62}$/.test(name)) throw new CliConfigurationError(`invalid ${flag}: ${JSON.stringify(name)} (lower-case letters, digits, "_" and "$", starting with a letter or "_")`);
  }
  if (roles.owner === roles.app) throw new CliConfigurationError('--owner and --app must be two different roles');

  await withDatabase(url, async (client) => {
    await inTransaction(client, async () => {
      await ensureRole(client, roles.owner, roles.ownerPassword, io);
      await ensureRole(client, roles.app, roles.appPassword, io);
      await ensureSchema(client, schema, roles.owner, io);
    });
  });
  const applied = await applyMigrations(url, schema);
  println(io, applied.length === 0 ? `schema "${schema}": no pending migrations` : `schema "${schema}": applied ${applied.length} migrations`);
  await withDatabase(url, (client) => inTransaction(client, () => grantRights(client, schema, roles, io)));
}

async function ensureRole(client: Client, name: string, password: string | undefined, io: CliIo): Promise<void> {
  const exists = (await client.query(roleExists, [name])).rowCount! > 0;
  const withPassword = password === undefined ? '' : ` password ${client.escapeLiteral(password)}`;
  if (!exists) {
    await client.query(`create role ${ident(client, name)} login${withPassword}`);
    println(io, `created role ${name}${password === undefined ? '' : ' (with a password)'}`);
    return;
  }
  if (password !== undefined) {
    await client.query(`alter role ${ident(client, name)}${withPassword}`);
    println(io, `role ${name} exists: password set`);
  } else {
    println(io, `role ${name} exists`);
  }
}

async function ensureSchema(client: Client, schema: string, owner: string, io: CliIo): Promise<void> {
  const s = ident(client, schema);
  const o = ident(client, owner);
  const found = await client.query('select pg_get_userbyid(nspowner) as owner from pg_namespace where nspname = $1', [schema]);
  if (found.rows[0]?.owner === owner) {
    println(io, `schema ${schema} owned by ${owner}`);
    return;
  }
  if (found.rowCount === 1) {
    // A schema may hold what is not the store's: the owner may create the store's objects in it, and owns only those.
    await client.query(`grant usage, create on schema ${s} to ${o}`);
    println(io, `granted usage, create on schema ${schema} to ${owner}`);
    return;
  }
  await client.query(`create schema ${s} authorization ${o}`);
  println(io, `schema ${schema} owned by ${owner}`);
}

async function grantRights(client: Client, schema: string, { owner, app }: RoleSettings, io: CliIo): Promise<void> {
  const s = ident(client, schema);
  const o = ident(client, owner);
  const a = ident(client, app);
  const names = [...storeTables(), BOOKKEEPING_TABLE];
  const tables: string[] = (await client.query(presentTables, [schema, names])).rows.map((r) => r.name);
  const sequences: string[] = (await client.query(tableSequences, [schema, names])).rows.map((r) => r.name);
  const functions: string[] = (await client.query(storeFunctions, [schema, (await storeObjects()).functions])).rows.map((r) => r.signature);

  // The owner owns the store's objects (whoever created them), so that it can migrate them.
  for (const table of tables) await client.query(`alter table ${s}.${ident(client, table)} owner to ${o}`);
  for (const fn of functions) await client.query(`alter function ${qualify(client, schema, fn)} owner to ${o}`);
  println(io, `${owner} owns ${tables.length} tables and ${functions.length} functions in ${schema}`);

  // The application role: rows and functions, no DDL.
  await client.query(`grant usage on schema ${s} to ${a}`);
  if (schema !== 'public') await client.query(`revoke create on schema ${s} from ${a}`);
  for (const table of tables) {
    const rights = table === BOOKKEEPING_TABLE ? 'select' : 'select, insert, update, delete';
    await client.query(`grant ${rights} on ${s}.${ident(client, table)} to ${a}`);
  }
  for (const sequence of sequences) await client.query(`grant usage, select on sequence ${s}.${ident(client, sequence)} to ${a}`);
  for (const fn of functions) await client.query(`grant execute on function ${qualify(client, schema, fn)} to ${a}`);
  // Objects the owner creates in later migrations get the same rights.
  await client.query(`alter default privileges for role ${o} in schema ${s} grant select, insert, update, delete on tables to ${a}`);
  await client.query(`alter default privileges for role ${o} in schema ${s} grant usage, select on sequences to ${a}`);
  await client.query(`alter default privileges for role ${o} in schema ${s} grant execute on functions to ${a}`);
  println(io, `granted ${app}: usage on schema ${schema}; select, insert, update, delete on ${tables.length - 1} tables; ` +
    `select on ${BOOKKEEPING_TABLE}; usage on ${sequences.length} sequences; execute on ${functions.length} functions (no DDL)`);
}

/** A function signature as regprocedure prints it, qualified with the schema when it is not already. */
function qualify(client: Client, schema: string, signature: string): string {
  return signature.includes('.') ? signature : `${ident(client, schema)}.${signature}`;
}
