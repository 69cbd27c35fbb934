import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type PolicyProblem,
  type PolicySet,
  watchPolicySet,
} from '../../../policies/engine/index.js';
import {
  createPoliciesDir,
  FIXTURE_SUPERGRAPH,
  purposeYaml,
  reuserYaml,
  validFiles,
} from './harness.js';

/** DESIGN.md: an edited policy takes effect within a second. */
const WITHIN_MS = 1_000;

type Watched = {
  dir: string;
  changes: PolicySet[];
  problems: PolicyProblem[][];
  /** Resolves with the time taken for the next callback, or rejects after `WITHIN_MS`. */
  nextEvent(): Promise<number>;
};

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function watched(): Watched {
  const dir = createPoliciesDir(validFiles());
  const changes: PolicySet[] = [];
  const problems: PolicyProblem[][] = [];
  let notify: (() => void) | undefined;
  const watcher = watchPolicySet({
    dir,
    schemaSdl: FIXTURE_SUPERGRAPH,
    scope: { kind: 'supergraph' },
    onChange: (policySet) => {
      changes.push(policySet);
      notify?.();
    },
    onProblems: (found) => {
      problems.push(found);
      notify?.();
    },
  });
  stops.push(() => watcher.stop());
  const nextEvent = () => {
    const started = performance.now();
    return new Promise<number>((resolve, reject) => {
      const timeout = setTimeout(
        () => reject(new Error(`no callback within ${WITHIN_MS} ms`)),
        WITHIN_MS,
      );
      notify = () => {
        clearTimeout(timeout);
        notify = undefined;
        resolve(performance.now() - started);
      };
    });
  };
  return { dir, changes, problems, nextEvent };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchPolicySet', () => {
  it('picks up a valid edit within a second', async () => {
    const { dir, changes, problems, nextEvent } = watched();
    const event = nextEvent();
    writeFileSync(
      join(dir, 'reusers/commune-a.yaml'),
      reuserYaml().replace('Commune A', 'Commune de A'),
    );
    expect(await event).toBeLessThan(WITHIN_MS);
    expect(problems).toEqual([]);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.reusers.get('commune-a')?.name).toBe('Commune de A');
  });

  it('reports an invalid edit and does not replace the set', async () => {
    const { dir, changes, problems, nextEvent } = watched();
    const event = nextEvent();
    writeFileSync(
      join(dir, 'purposes/canteen.yaml'),
      purposeYaml({ grants: '  FamilyQuotient.valeu: {}' }),
    );
    await event;
    expect(changes).toEqual([]);
    expect(problems).toHaveLength(1);
    const errors = problems[0]?.filter((problem) => problem.severity !== 'warning');
    expect(errors?.map((problem) => problem.suggestion)).toEqual([
      'did you mean FamilyQuotient.value?',
    ]);
  });

  it('picks up a file replaced by rename, as editors save', async () => {
    const { dir, changes, nextEvent } = watched();
    const event = nextEvent();
    const temporary = join(dir, 'purposes/.canteen.yaml.tmp');
    writeFileSync(temporary, purposeYaml().replace('School canteen pricing', 'Canteen'));
    renameSync(temporary, join(dir, 'purposes/canteen.yaml'));
    await event;
    expect(changes.map((set) => set.purposes.get('canteen')?.title)).toEqual(['Canteen']);
  });

  it('recovers after an invalid edit is fixed', async () => {
    const { dir, changes, problems, nextEvent } = watched();
    let event = nextEvent();
    writeFileSync(join(dir, 'purposes/canteen.yaml'), 'id: [');
    await event;
    event = nextEvent();
    writeFileSync(join(dir, 'purposes/canteen.yaml'), purposeYaml({ extra: 'mode: filter' }));
    await event;
    expect(problems).toHaveLength(1);
    expect(changes.map((set) => set.purposes.get('canteen')?.mode)).toEqual(['filter']);
  });

  it('stays quiet when a save leaves the content unchanged, and after stop()', async () => {
    const { dir, changes, problems } = watched();
    writeFileSync(join(dir, 'purposes/canteen.yaml'), purposeYaml());
    await sleep(400);
    expect({ changes, problems }).toEqual({ changes: [], problems: [] });
    for (const stop of stops.splice(0)) stop();
    writeFileSync(join(dir, 'purposes/canteen.yaml'), purposeYaml({ extra: 'mode: filter' }));
    await sleep(400);
    expect(changes).toEqual([]);
  });
});
