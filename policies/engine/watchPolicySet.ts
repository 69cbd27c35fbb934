import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';
import { type LoadOptions, loadPolicySet } from './loadPolicySet.js';
import type { PolicyProblem, PolicySet } from './model.js';
import { POLICY_FOLDERS, readPolicyFiles } from './policyFiles.js';
import { policyVersion } from './policyVersion.js';

export type WatchOptions = LoadOptions & {
  /** Called with every newly valid set whose version differs from the last one. */
  onChange: (policySet: PolicySet) => void;
  /**
   * Called when the files on disk do not load; the caller keeps serving its
   * last valid set. Neither callback should throw: they run from a timer.
   */
  onProblems: (problems: PolicyProblem[]) => void;
  /** Quiet time after the last file event before reloading. Default 150 ms. */
  debounceMs?: number;
  /**
   * Version of the set the caller serves now. Defaults to the version of
   * the files when the watch starts, so a watch started right after
   * `loadPolicySet` reports only later edits.
   */
  currentVersion?: string;
};

/**
 * Reloads and recompiles the policies when a file of `purposes/` or
 * `reusers/` changes. Watches the folders rather than the files: editors that
 * save by writing a new file and renaming it over the old one (vim, most
 * IDEs) replace the file's inode, which a watch on the file would lose.
 * The policies folder itself is watched too, to re-arm when `purposes/` or
 * `reusers/` is replaced whole (a checkout, a deployment tool).
 */
export function watchPolicySet(options: WatchOptions): { stop(): void } {
  const debounceMs = options.debounceMs ?? 150;
  let lastVersion = options.currentVersion ?? policyVersion(readPolicyFiles(options.dir).files);
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let rearm = false;
  let stopped = false;

  const reload = () => {
    timer = undefined;
    if (stopped) return;
    if (rearm) arm();
    let result: ReturnType<typeof loadPolicySet>;
    try {
      result = loadPolicySet(options);
    } catch (error) {
      options.onProblems([
        { file: options.dir, path: '', message: `cannot load policies: ${String(error)}` },
      ]);
      return;
    }
    if (!result.ok) {
      options.onProblems(result.problems);
      return;
    }
    if (result.policySet.version === lastVersion) return;
    lastVersion = result.policySet.version;
    options.onChange(result.policySet);
  };

  const schedule = () => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  };

  const onFolderEvent = (_event: string, filename: string | Buffer | null) => {
    // Editors' swap and backup files (.x.yaml.swp, x.yaml~, 4913) are noise.
    if (filename !== null && !String(filename).endsWith('.yaml')) return;
    schedule();
  };
  const onRootEvent = (_event: string, filename: string | Buffer | null) => {
    if (filename !== null && !(POLICY_FOLDERS as readonly string[]).includes(String(filename))) {
      return;
    }
    rearm = true;
    schedule();
  };

  function arm(): void {
    rearm = false;
    for (const watcher of watchers) watcher.close();
    watchers = [];
    const targets: [string, typeof onRootEvent][] = [
      [options.dir, onRootEvent],
      ...POLICY_FOLDERS.map((folder): [string, typeof onRootEvent] => [
        join(options.dir, folder),
        onFolderEvent,
      ]),
    ];
    for (const [path, listener] of targets) {
      try {
        const watcher = watch(path, { persistent: true }, listener);
        // A watched folder deleted or moved away: watch again at the next reload.
        watcher.on('error', () => {
          rearm = true;
          schedule();
        });
        watchers.push(watcher);
      } catch {
        // A missing folder: the load reports it, and the root watcher re-arms
        // when it appears.
        rearm = true;
      }
    }
  }

  arm();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      watchers = [];
    },
  };
}
