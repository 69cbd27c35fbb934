import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// A folder with an index.ts is a module, and the index is its public surface;
// subfolders without one are parts of the module around them. A file may
// import anything in its own module, and only the index of another module.
// (Import cycles and default exports are the linter's job.)
const PRODUCT_FOLDERS = ['gateway', 'subgraphs', 'policies'];

function sourceFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The folder of the module a file belongs to: its nearest folder holding an index.ts. */
function moduleOf(file: string): string {
  let folder = dirname(resolve(file));
  while (!existsSync(join(folder, 'index.ts')) && folder !== resolve('.')) folder = dirname(folder);
  return folder;
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
    (match) => match[1] ?? '',
  );
}

describe('module boundaries', () => {
  it('reaches into another folder only through its index', () => {
    const violations: string[] = [];
    for (const folder of PRODUCT_FOLDERS) {
      for (const file of sourceFiles(folder)) {
        for (const specifier of relativeImports(file)) {
          const target = resolve(dirname(file), specifier);
          const targetModule = moduleOf(target);
          const intoModuleIndex = target === join(targetModule, 'index.js');
          if (moduleOf(file) !== targetModule && !intoModuleIndex) {
            violations.push(`${file} imports ${relative('.', target)}`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps the data holders and the engine free of gateway code', () => {
    const violations: string[] = [];
    for (const folder of ['subgraphs', 'policies']) {
      for (const file of sourceFiles(folder)) {
        for (const specifier of relativeImports(file)) {
          const target = relative('.', resolve(dirname(file), specifier));
          if (target.startsWith('gateway/')) violations.push(`${file} imports ${target}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
