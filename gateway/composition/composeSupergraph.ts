import { composeServices } from '@apollo/composition';
import { type DocumentNode, GraphQLError, getLocation, parse, Source } from 'graphql';

/** One subgraph as composition sees it: its name, where the gateway calls it, its SDL. */
export type SubgraphDefinition = Readonly<{ name: string; url: string; sdl: string }>;

/** Where in a subgraph's SDL a composition problem lies. */
export type SdlLocation = Readonly<{ subgraph: string; line: number; column: number }>;

/** One composition error: its code (e.g. FIELD_TYPE_MISMATCH), what is wrong, and where. */
export type CompositionProblem = Readonly<{
  code: string;
  message: string;
  locations: readonly SdlLocation[];
}>;

export class CompositionError extends Error {
  override readonly name = 'CompositionError';

  constructor(readonly problems: readonly CompositionProblem[]) {
    super(
      `Supergraph composition failed (${problems.length} error${problems.length === 1 ? '' : 's'}):\n${problems
        .map(
          (problem) =>
            `  - ${problem.code}: ${problem.message}${describeLocations(problem.locations)}`,
        )
        .join('\n')}`,
    );
  }
}

function describeLocations(locations: readonly SdlLocation[]): string {
  if (locations.length === 0) return '';
  const places = locations.map((at) => `subgraph "${at.subgraph}" line ${at.line}:${at.column}`);
  return ` (at ${places.join('; ')})`;
}

/**
 * Composition tags the AST nodes it blames with their `subgraph`; each SDL is
 * also parsed as a `Source` named after its subgraph, so even untagged nodes
 * and syntax errors say which subgraph they come from.
 */
function locationsOf(error: GraphQLError): SdlLocation[] {
  const located: SdlLocation[] = [];
  for (const node of error.nodes ?? []) {
    if (node.loc === undefined) continue;
    const { line, column } = getLocation(node.loc.source, node.loc.start);
    const tagged =
      'subgraph' in node && typeof node.subgraph === 'string' ? node.subgraph : undefined;
    located.push({ subgraph: tagged ?? node.loc.source.name, line, column });
  }
  if (located.length === 0 && error.source !== undefined) {
    for (const { line, column } of error.locations ?? []) {
      located.push({ subgraph: error.source.name, line, column });
    }
  }
  return located;
}

function problemOf(error: GraphQLError, fallbackCode: string): CompositionProblem {
  const code = typeof error.extensions.code === 'string' ? error.extensions.code : fallbackCode;
  return { code, message: error.message, locations: locationsOf(error) };
}

/**
 * Composes the subgraphs' SDLs into a supergraph SDL, locally (no network,
 * no Apollo service). Throws `CompositionError` listing every problem with
 * the subgraph and the type or field at fault. `hints` are composition's
 * non-fatal remarks, worth a debug log.
 */
export function composeSupergraph(subgraphs: readonly SubgraphDefinition[]): {
  supergraphSdl: string;
  hints: string[];
} {
  const parsed: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  const syntaxProblems: CompositionProblem[] = [];
  for (const subgraph of subgraphs) {
    try {
      parsed.push({
        name: subgraph.name,
        url: subgraph.url,
        typeDefs: parse(new Source(subgraph.sdl, subgraph.name)),
      });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      syntaxProblems.push(problemOf(error, 'INVALID_GRAPHQL'));
    }
  }
  if (syntaxProblems.length > 0) throw new CompositionError(syntaxProblems);

  const result = composeServices(parsed);
  if (result.errors !== undefined) {
    throw new CompositionError(result.errors.map((error) => problemOf(error, 'COMPOSITION_ERROR')));
  }
  return {
    supergraphSdl: result.supergraphSdl,
    hints: result.hints.map((hint) => hint.toString()),
  };
}
