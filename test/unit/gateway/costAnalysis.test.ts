import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeRepositorySupergraph } from '../../../gateway/cli/sandboxSupergraph.js';
import { composeSupergraph } from '../../../gateway/composition/index.js';
import { createCostModel, estimateCost } from '../../../gateway/documentGuards/index.js';

// Two small subgraphs declaring costs as the IBM cost specification and
// federation 2.9 spell them; `ratings` resolves a field of `Person` only it
// knows, so selecting it is an entity fetch.
const DIRECTORY_SDL = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])

  type Person @key(fields: "id") {
    id: ID!
    name: String!
    portrait: String! @cost(weight: 7)
    friends(first: Int = 3, filter: String @cost(weight: 2)): [Person!]!
      @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
    tags: [String!]!
    page(size: Int): PersonPage! @listSize(slicingArguments: ["size"], sizedFields: ["items"])
    pet: Pet
  }

  type PersonPage {
    items: [Person!]!
    total: Int!
  }

  interface Pet {
    name: String!
  }

  type Dog implements Pet @cost(weight: 4) {
    name: String!
    bones: [String!]!
  }

  type Cat implements Pet {
    name: String!
  }

  type Query {
    person(id: ID!): Person
    people: [Person!]! @listSize(assumedSize: 20)
    everyone: [Person!]!
  }
`;

const RATINGS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Person @key(fields: "id") {
    id: ID!
    rating: Rating
    score: Int
  }

  type Rating {
    stars: Int!
  }
`;

const supergraphSdl = composeSupergraph([
  { name: 'directory', url: 'http://directory.invalid/graphql', sdl: DIRECTORY_SDL },
  { name: 'ratings', url: 'http://ratings.invalid/graphql', sdl: RATINGS_SDL },
]).supergraphSdl;
const model = createCostModel(supergraphSdl);

const DEFAULT_LIST_SIZE = 10;

function costOf(text: string, variables?: Record<string, unknown>, operationName?: string) {
  return estimateCost(
    model,
    { document: parse(text), operationName, variables },
    DEFAULT_LIST_SIZE,
  );
}

const cost = (text: string, variables?: Record<string, unknown>) => costOf(text, variables).cost;

describe('@cost and @listSize through composition', () => {
  it('keeps both directives in the supergraph, under the cost spec', () => {
    expect(supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1"');
    expect(supergraphSdl).toMatch(
      /portrait: String! @join__field\(graph: DIRECTORY\) @cost\(weight: 7\)/,
    );
    expect(supergraphSdl).toMatch(
      /people: \[Person!\]! @join__field\(graph: DIRECTORY\) @listSize\(assumedSize: 20\)/,
    );
  });

  it("keeps the data holders' declarations in the repository's supergraph", () => {
    const repository = composeRepositorySupergraph();
    expect(repository).toContain('https://specs.apollo.dev/cost/v0.1');
    expect(repository).toMatch(/familyQuotients: .*@listSize\(assumedSize: 24\)/);
    expect(repository).toMatch(
      /\): \[Person!\]! @join__field\(graph: CIVIL_STATUS\) @cost\(weight: 5\)/,
    );

    // Five persons assumed, each 5 (the lookup's weight) + address 1 + commune 1
    // + one entity fetch from family benefits 1 + its file 1 + 24 quotients.
    const estimate = estimateCost(
      createCostModel(repository),
      {
        document: parse(`{
          personsByPivotIdentity(familyName: "Martin", givenNames: "Léa", birthDate: "1986-04-12") {
            familyName birthYear address { line commune { name } }
            familyBenefits { familyQuotients { month value } }
          }
        }`),
      },
      DEFAULT_LIST_SIZE,
    );
    expect(estimate).toEqual({ cost: 5 * (5 + 2 + 1 + 1 + 24), dependsOnVariables: false });
  });
});

describe('the estimate (IBM cost specification, as Apollo applies it)', () => {
  it('counts 1 per object and 0 per scalar or enum, __typename and introspection free', () => {
    expect(cost('{ person(id: "1") { name tags __typename } }')).toBe(1);
    expect(cost('{ __typename __schema { types { name } } }')).toBe(0);
  });

  it('uses @cost on a field, on a type, and on the arguments given', () => {
    expect(cost('{ person(id: "1") { portrait } }')).toBe(1 + 7);
    // The field's type costs 4 when it is a Dog: the interface costs its dearest type.
    expect(cost('{ person(id: "1") { pet { name } } }')).toBe(1 + 4);
    expect(cost('{ person(id: "1") { friends(filter: "x") { name } } }')).toBe(1 + 3 * 1 + 2);
  });

  it('multiplies lists by @listSize: assumed size, slicing argument, its default, else the gateway default', () => {
    expect(cost('{ people { name } }')).toBe(20);
    expect(cost('{ everyone { name } }')).toBe(DEFAULT_LIST_SIZE);
    expect(cost('{ person(id: "1") { friends { name } } }')).toBe(1 + 3);
    expect(cost('{ person(id: "1") { friends(first: 50) { name } } }')).toBe(1 + 50);
    expect(cost('{ people { friends(first: 5) { friends(first: 5) { name } } } }')).toBe(
      20 * (1 + 5 * (1 + 5)),
    );
  });

  it('reads slicing arguments from variables, and says the estimate depends on them', () => {
    const text = 'query ($n: Int) { person(id: "1") { friends(first: $n) { name } } }';
    expect(costOf(text, { n: 40 })).toEqual({ cost: 41, dependsOnVariables: true });
    expect(costOf(text, {})).toEqual({ cost: 1 + 3, dependsOnVariables: true });
  });

  it('gives sizedFields the size of the slicing argument', () => {
    expect(cost('{ person(id: "1") { page(size: 30) { items { name } total } } }')).toBe(
      1 + 1 + 30,
    );
  });

  it('counts one entity fetch per entity when another subgraph resolves a field', () => {
    expect(cost('{ person(id: "1") { score } }')).toBe(1 + 1);
    // Two fields from the same other subgraph: still one fetch per person.
    expect(cost('{ person(id: "1") { score rating { stars } } }')).toBe(1 + 1 + 1);
    // Over a list of 20 persons: 20 entities fetched again.
    expect(cost('{ people { name score } }')).toBe(20 * (1 + 1));
  });

  it('merges selections and enters each fragment once, as execution does', () => {
    const once = cost('{ people { friends { name } } }');
    expect(
      cost('{ people { ...F ...F friends { name } } } fragment F on Person { friends { name } }'),
    ).toBe(once);
    // Aliases are distinct fetches: each counts.
    expect(cost('{ a: people { name } b: people { name } }')).toBe(40);
  });

  it('estimates the operation named, or none', () => {
    const text = 'query A { people { name } } query B { person(id: "1") { name } }';
    expect(costOf(text, {}, 'B').cost).toBe(1);
    expect(costOf(text, {}, 'C').cost).toBe(0);
  });
});
