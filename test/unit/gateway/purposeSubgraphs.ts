import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import {
  subjectReportingPlugin,
  trackSubjects,
  withSubjectReporting,
} from '../../../subgraphs/kit/index.js';

/**
 * Two tiny data holders for the purpose tests, named as real ones so that
 * policies can name them: `civil-status` (names, birth date and its derived
 * birth year) and `family-benefits` (a monthly family quotient). Each
 * records what the gateway sent it: the query text and the headers, and
 * reports the persons it served as the kit makes every data holder do.
 */

const MINIMISATION = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible", "@composeDirective"])
    @link(url: "https://passerelle.example/minimisation/v0.1", import: ["@reduces"])
    @composeDirective(name: "@reduces")
  directive @reduces(field: String!, transform: String!) on FIELD_DEFINITION
`;

export const CIVIL_STATUS_SDL = /* GraphQL */ `${MINIMISATION}
  type Person @key(fields: "id") {
    id: ID! @inaccessible
    familyName: String!
    "Non-null: a filtered null here nulls the person."
    birthDate: String!
    birthYear: Int! @reduces(field: "birthDate", transform: "year")
    "Nullable: a filtered null stays here."
    nickname: String
  }

  type Query {
    person(id: ID!): Person
    "Nullable list of non-null persons."
    people: [Person!]
  }
`;

export const FAMILY_BENEFITS_SDL = /* GraphQL */ `${MINIMISATION}
  type Person @key(fields: "id") {
    id: ID! @inaccessible
    familyBenefits: FamilyBenefitsFile
  }

  type FamilyBenefitsFile {
    familyQuotient(month: String!): FamilyQuotient
    childCount: Int!
    "Nullable, with an argument."
    householdSize(atDate: String): Int
  }

  type FamilyQuotient {
    month: String!
    value: Int!
  }
`;

type PersonRecord = { id: string; familyName: string; birthDate: string; nickname: string };

export const PEOPLE: readonly PersonRecord[] = [
  { id: '1', familyName: 'Lovelace', birthDate: '1815-12-10', nickname: 'Ada' },
  { id: '2', familyName: 'Pascal', birthDate: '1623-06-19', nickname: 'Blaise' },
];

/** What a subgraph received from the gateway. */
export type ReceivedRequest = { query: string; headers: Readonly<Record<string, string>> };

export type RecordingSubgraph = {
  name: string;
  url: string;
  /** Every request received since the start or the last `clear()`. */
  received: ReceivedRequest[];
  clear(): void;
  stop(): Promise<void>;
};

async function serve(name: string, schema: ReturnType<typeof buildSubgraphSchema>) {
  const received: ReceivedRequest[] = [];
  const server = new ApolloServer({
    schema: withSubjectReporting(schema),
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      subjectReportingPlugin(),
      {
        async requestDidStart({ request }) {
          received.push({
            query: request.query ?? '',
            headers: Object.fromEntries(request.http?.headers ?? []),
          });
        },
      },
    ],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async () => trackSubjects({}),
  });
  return {
    name,
    url,
    received,
    clear: () => {
      received.length = 0;
    },
    stop: () => server.stop(),
  };
}

const byId = (id: string) => PEOPLE.find((person) => person.id === id);

export function startCivilStatus(): Promise<RecordingSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(CIVIL_STATUS_SDL),
    resolvers: {
      Query: {
        person: (_: unknown, { id }: { id: string }) => byId(id) ?? null,
        people: () => PEOPLE,
      },
      Person: {
        __resolveReference: (person: { id: string }) => byId(person.id),
        birthYear: (person: PersonRecord) => Number(person.birthDate.slice(0, 4)),
      },
    },
  });
  return serve('civil-status', schema);
}

export function startFamilyBenefits(): Promise<RecordingSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(FAMILY_BENEFITS_SDL),
    resolvers: {
      Person: {
        __resolveReference: (person: { id: string }) => person,
        familyBenefits: (person: { id: string }) => ({ personId: person.id }),
      },
      FamilyBenefitsFile: {
        familyQuotient: (_: unknown, { month }: { month: string }) => ({ month, value: 380 }),
        childCount: () => 2,
        householdSize: () => 3,
      },
    },
  });
  return serve('family-benefits', schema);
}
