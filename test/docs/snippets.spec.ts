/**
 * Every TypeScript snippet of the README and of docs/ is compiled against
 * the package's sources, so that a renamed API breaks the build, not the
 * reader. A snippet is a ```ts block; it imports the package as
 * 'mikro-orm-eventstore' and must compile on its own (strict mode, with
 * `exactOptionalPropertyTypes`, as in a strict user project).
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');

interface Snippet {
  file: string;
  line: number;
  code: string;
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f));
  return ['README.md', ...docs];
}

export function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    if (start < 0 && /^```(ts|typescript)\s*$/.test(lines[i])) start = i;
    else if (start >= 0 && /^```\s*$/.test(lines[i])) {
      snippets.push({ file, line: start + 1, code: lines.slice(start + 1, i).join('\n') });
      start = -1;
    }
  }
  return snippets;
}

function compile(snippets: Snippet[]): string[] {
  const configFile = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    baseUrl: ROOT,
    paths: { 'mikro-orm-eventstore': ['src/index.ts'], 'mikro-orm-eventstore/nestjs': ['src/nestjs/index.ts'] },
    // Snippets are modules of their own; an unused import is fine in a doc.
    noUnusedLocals: false,
    // The strictest setting a user's project may have: `{ clientUrl: process.env.DATABASE_URL }` must still compile.
    exactOptionalPropertyTypes: true,
  };
  const virtual = new Map(snippets.map((s, i) => [join(ROOT, '.snippets', `${i}.ts`), s]));
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => virtual.get(f)?.code ?? readFile(f);
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  host.getSourceFile = (f, lang, onError, create) => {
    const snippet = virtual.get(f);
    if (snippet) return ts.createSourceFile(f, `export {};\n${snippet.code}`, lang, true);
    return getSourceFile(f, lang, onError, create);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const problems: string[] = [];
  // Only the snippets are checked (the sources are type-checked by `tsc` already).
  const diagnostics = [...virtual.keys()].flatMap((f) => {
    const file = program.getSourceFile(f)!;
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  });
  for (const diagnostic of diagnostics) {
    const snippet = diagnostic.file && virtual.get(diagnostic.file.fileName);
    if (!snippet) continue;
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    // line 0 is the added `export {}`; snippet line n is at markdown line snippet.line + n.
    problems.push(`${snippet.file}:${snippet.line + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
  }
  return problems;
}

describe('documentation snippets', function () {
  this.timeout(120_000);

  it('every TypeScript snippet of the README and docs/ compiles against the sources', () => {
    const snippets = markdownFiles().flatMap(snippetsOf);
    expect(snippets.length).to.be.greaterThan(0);
    expect(compile(snippets)).to.deep.equal([]);
  });

  it('compiles snippets with exactOptionalPropertyTypes', () => {
    const problems = compile([{ file: 'example.md', line: 1, code: 'const options: { url?: string } = { url: process.env.NOTHING };\nvoid options;' }]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^example\.md:2: .*exactOptionalPropertyTypes/s);
  });

  it('a snippet that uses a renamed API is reported with its file and line', () => {
    const problems = compile([{ file: 'example.md', line: 10, code: "import { EventStore } from 'mikro-orm-eventstore';\nEventStore.connectTo({});" }]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^example\.md:12: Property 'connectTo' does not exist/);
  });
});
