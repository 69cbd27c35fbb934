import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBJECTS_EXTENSION } from '../../../subgraphs/kit/index.js';
import { NAMED_PEOPLE, namedPeople } from '../../../subgraphs/sandbox/index.js';
import { TEST_DATASET } from '../../support/sandboxDataset.js';
import { startTestHolder, type TestHolder } from '../subgraphs/harness.js';

// Every data holder reports, in a response extension, exactly the persons
// whose data its response carries (DECISIONS.md section 3); the kit does it
// for every holder, from the fields it actually resolved.

const people = namedPeople(TEST_DATASET.asOf);
const lyon = people.homonymBornInLyon;
const rennes = people.homonymBornInRennes;
const identity = (person: typeof lyon, withBirthPlace: boolean) =>
  `familyName: "${person.familyName}", givenNames: "${person.givenNames}", birthDate: "${person.birthDate}"${withBirthPlace ? `, birthPlaceCode: "${person.birthPlaceCode}"` : ''}`;

const ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Person { familyName } }
  }
`;

let civilStatus: TestHolder;

beforeAll(async () => {
  civilStatus = await startTestHolder('civil-status');
});

afterAll(async () => {
  await civilStatus?.stop();
});

function reported(response: { body: object }): unknown {
  const { extensions } = response.body as { extensions?: Record<string, unknown> };
  const subjects = extensions?.[SUBJECTS_EXTENSION];
  return Array.isArray(subjects) ? [...subjects].sort() : subjects;
}

describe('subjects reported by a data holder', () => {
  it('reports both homonyms a pivot identity without birth place matches', async () => {
    const response = await civilStatus.query(
      `{ personsByPivotIdentity(${identity(lyon, false)}) { familyName } }`,
      { purpose: 'identity-check' },
    );
    expect(response.body.data).toEqual({
      personsByPivotIdentity: [{ familyName: lyon.familyName }, { familyName: lyon.familyName }],
    });
    expect(reported(response)).toEqual(
      [NAMED_PEOPLE.homonymBornInLyon.personId, NAMED_PEOPLE.homonymBornInRennes.personId].sort(),
    );
  });

  it('reports only the person the birth place narrows the lookup to', async () => {
    const response = await civilStatus.query(
      `{ personsByPivotIdentity(${identity(rennes, true)}) { familyName } }`,
      { purpose: 'identity-check' },
    );
    expect(reported(response)).toEqual([NAMED_PEOPLE.homonymBornInRennes.personId]);
  });

  it('reports nobody when nobody matches', async () => {
    const response = await civilStatus.query(
      `{ personsByPivotIdentity(familyName: "Nobody", givenNames: "Nemo", birthDate: "1901-01-01") { familyName } }`,
      { purpose: 'identity-check' },
    );
    expect(response.body.data).toEqual({ personsByPivotIdentity: [] });
    expect(reported(response)).toEqual([]);
  });

  it('reports the entities resolved for the gateway, not the unknown references', async () => {
    const response = await civilStatus.query(ENTITIES, {
      purpose: 'identity-check',
      variables: {
        representations: [
          { __typename: 'Person', id: NAMED_PEOPLE.singleParent.personId },
          { __typename: 'Person', id: 'p_0000000000000000' },
        ],
      },
    });
    expect(response.body.data).toEqual({
      _entities: [{ familyName: people.singleParent.familyName }, null],
    });
    expect(reported(response)).toEqual([NAMED_PEOPLE.singleParent.personId]);
  });

  it('does not count a person whose only requested field the purpose refuses', async () => {
    const response = await civilStatus.query(ENTITIES.replace('familyName', 'sex'), {
      purpose: 'identity-check',
      variables: {
        representations: [{ __typename: 'Person', id: NAMED_PEOPLE.singleParent.personId }],
      },
    });
    expect(response.body.errors?.length).toBeGreaterThan(0);
    expect(reported(response)).toEqual([]);
  });

  it('reports nothing to a schema read (service context)', async () => {
    const response = await civilStatus.query('{ _service { sdl } }');
    expect(reported(response)).toBeUndefined();
  });
});
