/**
 * The published contract is documented where readers see it: every export of every entry point
 * in package.json's `exports` (`oauth-recovery`, `oauth-recovery/machine`), and every public
 * member of an exported interface or class, carries a JSDoc comment on its declaration, which
 * `tsc` keeps in the shipped `.d.ts`. Read with the TypeScript compiler API from the sources the
 * `.d.ts` files are emitted from (the same program `tsconfig.build.json` emits).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `./dist/src/index.d.ts` → `<root>/src/index.ts`, for each entry with types. */
function entrySources(): Map<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types?: string }>;
  };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string' || target.types === undefined) continue;
    const source = target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts');
    entries.set(path.posix.join('oauth-recovery', subpath), path.join(ROOT, source));
  }
  return entries;
}

const hasDoc = (node: ts.Node): boolean =>
  // A `const x = …` keeps its comment on the statement, not the declarator.
  ts.getJSDocCommentsAndTags(ts.isVariableDeclaration(node) ? node.parent.parent : node).length > 0;

const where = (node: ts.Node): string => {
  const file = node.getSourceFile();
  return `${path.relative(ROOT, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
};

/** The public members of an interface, a class or an object type alias (not private, not the constructor). */
function publicMembers(declaration: ts.Declaration): ts.NamedDeclaration[] {
  const members =
    ts.isInterfaceDeclaration(declaration) || ts.isClassDeclaration(declaration)
      ? declaration.members
      : ts.isTypeAliasDeclaration(declaration) && ts.isTypeLiteralNode(declaration.type)
        ? declaration.type.members
        : [];
  return [...members].filter((member) => {
    if (ts.isConstructorDeclaration(member) || ts.isIndexSignatureDeclaration(member)) return false;
    if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return false;
    const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
    return !modifiers.some(
      (modifier) =>
        modifier.kind === ts.SyntaxKind.PrivateKeyword || modifier.kind === ts.SyntaxKind.ProtectedKeyword,
    );
  });
}

/**
 * Every export of `file` whose declaration carries no JSDoc comment, and every public member of
 * an exported interface or class without one, as `name (file:line)`.
 */
function undocumented(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`not in the program: ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`not a module: ${file}`);
  const missing = new Set<string>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = symbol.getDeclarations() ?? [];
    if (!declarations.some(hasDoc)) {
      missing.add(`${exported.getName()} (${declarations[0] ? where(declarations[0]) : 'no declaration'})`);
    }
    for (const declaration of declarations) {
      for (const member of publicMembers(declaration)) {
        if (!hasDoc(member))
          missing.add(`${exported.getName()}.${member.name?.getText() ?? '?'} (${where(member)})`);
      }
    }
  }
  return [...missing].sort();
}

describe('published types', () => {
  const entries = entrySources();
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.build.json could not be read');
  const program = ts.createProgram([...entries.values()], config.options);

  it('has the two entry points', () => {
    expect([...entries.keys()].sort()).toEqual(['oauth-recovery', 'oauth-recovery/machine']);
  });

  for (const [entry, file] of entries) {
    it(`documents every export of ${entry}`, () => {
      expect(undocumented(program, file)).toEqual([]);
    });
  }
});
