import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyProblem } from './model.js';

/** The folders of a policies directory the engine reads, and what each holds. */
export const POLICY_FOLDERS = ['purposes', 'reusers'] as const;
export type PolicyFolder = (typeof POLICY_FOLDERS)[number];

export type PolicyFile = {
  folder: PolicyFolder;
  /** Path relative to the policies directory, with `/` separators: `purposes/x.yaml`. */
  relativePath: string;
  /** Path as given to the loader (`join(dir, relativePath)`), used in problems. */
  path: string;
  bytes: Buffer;
};

/**
 * Reads every `*.yaml` of `purposes/` and `reusers/`, sorted by relative
 * path so that the result (and the version hashed from it) does not depend
 * on the order the file system lists them in.
 */
export function readPolicyFiles(dir: string): { files: PolicyFile[]; problems: PolicyProblem[] } {
  const files: PolicyFile[] = [];
  const problems: PolicyProblem[] = [];
  for (const folder of POLICY_FOLDERS) {
    const folderPath = join(dir, folder);
    let names: string[];
    try {
      names = readdirSync(folderPath);
    } catch (error) {
      problems.push({
        file: folderPath,
        path: '',
        message: `cannot read the ${folder} folder: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      });
      continue;
    }
    for (const name of names) {
      if (name.endsWith('.yml')) {
        problems.push({
          file: join(folderPath, name),
          path: '',
          message: 'ignored: policy files end in .yaml',
          severity: 'warning',
        });
      }
      if (!name.endsWith('.yaml') || name.startsWith('.')) continue;
      const path = join(folderPath, name);
      try {
        files.push({ folder, relativePath: `${folder}/${name}`, path, bytes: readFileSync(path) });
      } catch (error) {
        // A file removed between listing and reading (an editor saving) or a
        // sub-folder named *.yaml: report it; a watcher reloads again anyway.
        problems.push({
          file: path,
          path: '',
          message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        });
      }
    }
  }
  files.sort((a, b) =>
    a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0,
  );
  return { files, problems };
}
