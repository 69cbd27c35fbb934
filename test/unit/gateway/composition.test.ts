import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  CompositionError,
  composeSupergraph,
  fetchSubgraphSdls,
  SubgraphSdlError,
} from '../../../gateway/composition/index.js';
import { AGES_SDL, PEOPLE_SDL } from './tinySubgraphs.js';

const people = { name: 'people', url: 'http://127.0.0.1:1/graphql', sdl: PEOPLE_SDL };
const ages = { name: 'ages', url: 'http://127.0.0.1:2/graphql', sdl: AGES_SDL };

/** A loopback port nothing listens on: taken from the OS, then released. */
async function unusedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function compositionErrorOf(run: () => unknown): CompositionError {
  try {
    run();
  } catch (error) {
    if (error instanceof CompositionError) return error;
    throw error;
  }
  throw new Error('expected a CompositionError');
}

describe('supergraph composition', () => {
  it('composes compatible subgraphs without any network', () => {
    const { supergraphSdl } = composeSupergraph([people, ages]);
    expect(supergraphSdl).toContain(
      'PEOPLE @join__graph(name: "people", url: "http://127.0.0.1:1/graphql")',
    );
    expect(supergraphSdl).toContain('AGES @join__graph(name: "ages"');
  });

  it('names the subgraphs and the field at fault when types conflict', () => {
    // `ages` declares `name` as an Int where `people` has a String.
    const conflicting = {
      ...ages,
      sdl: AGES_SDL.replace(
        /(extend schema.*import: \[)"@key"\]/,
        '$1"@key", "@shareable"]',
      ).replace('age: Int', 'age: Int\n    name: Int @shareable'),
    };
    const shareablePeople = {
      ...people,
      sdl: PEOPLE_SDL.replace('import: ["@key"]', 'import: ["@key", "@shareable"]').replace(
        'name: String!',
        'name: String! @shareable',
      ),
    };
    const error = compositionErrorOf(() => composeSupergraph([shareablePeople, conflicting]));
    expect(error.problems.map((problem) => problem.code)).toContain('FIELD_TYPE_MISMATCH');
    const mismatch = error.problems.find((problem) => problem.code === 'FIELD_TYPE_MISMATCH');
    expect(mismatch?.message).toContain('Person.name');
    expect(mismatch?.locations.map((location) => location.subgraph).sort()).toEqual([
      'ages',
      'people',
    ]);
    expect(error.message).toMatch(
      /FIELD_TYPE_MISMATCH: .*"Person\.name".*\(at subgraph "\w+" line \d+:\d+; subgraph "\w+" line \d+:\d+\)/,
    );
  });

  it('names the subgraph whose SDL does not parse', () => {
    const broken = { ...ages, sdl: 'type Person @key(fields: "id") { id: ID! age: }' };
    const error = compositionErrorOf(() => composeSupergraph([people, broken]));
    expect(error.problems).toEqual([
      {
        code: 'INVALID_GRAPHQL',
        message: expect.stringContaining('Syntax Error'),
        locations: [{ subgraph: 'ages', line: 1, column: 47 }],
      },
    ]);
  });

  it('names every subgraph that does not serve its SDL before the deadline', async () => {
    const url = `http://127.0.0.1:${await unusedPort()}/graphql`;
    const unreachable = [
      { name: 'people', url },
      { name: 'ages', url },
    ];
    const failure = await fetchSubgraphSdls(unreachable, { timeoutMs: 1_500 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SubgraphSdlError);
    const failures = (failure as SubgraphSdlError).failures;
    expect(failures.map((entry) => entry.name)).toEqual(['people', 'ages']);
    // On a loaded machine the deadline may pass before the first refusal is seen.
    expect(failures[0]?.reason).toMatch(
      /^no schema within 1500 ms( \(last failure: ECONNREFUSED\))?$/,
    );
  });
});
