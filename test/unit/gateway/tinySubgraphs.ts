import { setTimeout as sleep } from 'node:timers/promises';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { asReuser } from '../../support/asReuser.js';
import { createPolicyFixture, type PolicyFixtureDir } from '../../support/policyFixture.js';

/**
 * Two tiny federation subgraphs for gateway tests, sharing a `Person` entity:
 * `people` knows names, `ages` knows ages and has a deliberately slow field.
 * They run under data holder names (`civil-status`, `education`) so that
 * policies can name them; `TINY_PURPOSE` grants everything they serve.
 */

export const PEOPLE_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Person @key(fields: "id") {
    id: ID!
    name: String!
  }

  type Query {
    person(id: ID!): Person
  }
`;

export const AGES_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Person @key(fields: "id") {
    id: ID!
    age: Int
  }

  type Query {
    "Answers after the given delay: lets tests exceed the gateway's subgraph timeout."
    waitFor(ms: Int!): Int
  }
`;

const NAMES: Readonly<Record<string, string>> = { '1': 'Ada', '2': 'Blaise' };
const AGES: Readonly<Record<string, number>> = { '1': 36, '2': 39 };

export type TinySubgraph = {
  name: string;
  url: string;
  /** The `traceparent` header of every GraphQL request received, in order (`''` when absent). */
  traceparents: readonly string[];
  stop(): Promise<void>;
};

async function serve(name: string, server: ApolloServer): Promise<TinySubgraph> {
  const traceparents: string[] = [];
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => {
      const header = req.headers.traceparent;
      traceparents.push(typeof header === 'string' ? header : '');
      return {};
    },
  });
  return { name, url, traceparents, stop: () => server.stop() };
}

export function startPeopleSubgraph(): Promise<TinySubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(PEOPLE_SDL),
    resolvers: {
      Query: { person: (_: unknown, { id }: { id: string }) => (NAMES[id] ? { id } : null) },
      Person: {
        __resolveReference: (person: { id: string }) => person,
        name: (person: { id: string }) => NAMES[person.id],
      },
    },
  });
  return serve(
    'civil-status',
    new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] }),
  );
}

export function startAgesSubgraph(): Promise<TinySubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(AGES_SDL),
    resolvers: {
      Query: {
        waitFor: async (_: unknown, { ms }: { ms: number }) => {
          await sleep(ms);
          return ms;
        },
      },
      Person: {
        __resolveReference: (person: { id: string }) => person,
        age: (person: { id: string }) => AGES[person.id] ?? null,
      },
    },
  });
  return serve(
    'education',
    new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] }),
  );
}

/** A purpose granting every field of the two tiny subgraphs. */
export const TINY_PURPOSE = 'tiny-everything';
export const TINY_REUSER = 'tiny-reuser';

/** Policies for the tiny subgraphs: one re-user holding `TINY_PURPOSE`. Remove after use. */
export function createTinyPolicies(): PolicyFixtureDir {
  return createPolicyFixture({
    purposes: [
      {
        id: TINY_PURPOSE,
        holders: ['civil-status', 'education'],
        grants: { 'Query.person': {}, 'Query.waitFor': {}, 'Person.name': {}, 'Person.age': {} },
      },
    ],
    reusers: [{ id: TINY_REUSER, purposes: [{ purpose: TINY_PURPOSE }] }],
  });
}

/** Fresh credentials of the tiny re-user (an assertion lives five minutes). */
export function tinyHeaders(): Promise<Record<string, string>> {
  return asReuser(TINY_REUSER, TINY_PURPOSE);
}
