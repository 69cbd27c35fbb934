import { PasserelleError } from '../errors/index.js';
import { type GuardLimits, INTROSPECTION_LIMITS } from './guardLimits.js';
import type { DocumentMeasure } from './measureDocument.js';
import type { SourceMeasure } from './measureSource.js';

/** Whose limit applies: a purpose's tighter one is named in the message and the extensions. */
export type LimitSource = Readonly<{ purpose: string | undefined }>;

const scopeOf = (source: LimitSource) =>
  source.purpose === undefined ? '' : ` for the purpose "${source.purpose}"`;

const extensionsOf = (limit: number, actual: number, source: LimitSource) => ({
  limit,
  actual,
  ...(source.purpose === undefined ? {} : { purpose: source.purpose }),
});

/**
 * The query text's checks, in order, before it is parsed: its size in bytes
 * (one long string literal is a single token), then its tokens.
 */
export function checkSource(
  measure: SourceMeasure,
  limits: Pick<GuardLimits, 'maxDocumentBytes' | 'maxTokens'>,
): PasserelleError | undefined {
  const none: LimitSource = { purpose: undefined };
  if (measure.bytes > limits.maxDocumentBytes) {
    return new PasserelleError(
      'DOCUMENT_TOO_LARGE',
      { actual: measure.bytes, unit: 'bytes', limit: limits.maxDocumentBytes },
      { publicExtensions: extensionsOf(limits.maxDocumentBytes, measure.bytes, none) },
    );
  }
  if (measure.tokens > limits.maxTokens) {
    // Counting stops one past the limit: say "more than", not a made-up total.
    return new PasserelleError(
      'DOCUMENT_TOO_LARGE',
      { actual: `more than ${limits.maxTokens}`, unit: 'tokens', limit: limits.maxTokens },
      { publicExtensions: extensionsOf(limits.maxTokens, measure.tokens, none) },
    );
  }
  return undefined;
}

/**
 * The parsed document's checks, in order; the first that fails refuses the
 * request. `depthSource` names the purpose when its `maxDepth` is the one
 * that applies.
 */
export function checkDocument(
  measure: DocumentMeasure,
  limits: Pick<GuardLimits, 'maxDepth' | 'maxAliases' | 'maxRootFields' | 'maxDirectives'>,
  depthSource: LimitSource,
): PasserelleError | undefined {
  const gateway: LimitSource = { purpose: undefined };
  // 1. A fragment cycle first: no other count means anything for a document that never ends.
  if (measure.kind === 'cycle') {
    return new PasserelleError(
      'FRAGMENT_CYCLE',
      { cycle: measure.cycle.join(' -> ') },
      { publicExtensions: { fragments: [...measure.cycle] } },
    );
  }
  // 2. Depth of data, with the purpose's tighter limit if it has one.
  if (measure.depth > limits.maxDepth) {
    return new PasserelleError(
      'QUERY_TOO_DEEP',
      {
        actual: `${measure.depth} levels deep`,
        limit: limits.maxDepth,
        where: measure.deepestRootField === undefined ? '' : ` under "${measure.deepestRootField}"`,
        scope: scopeOf(depthSource),
      },
      { publicExtensions: extensionsOf(limits.maxDepth, measure.depth, depthSource) },
    );
  }
  // 3. Introspection has its own bounds (see INTROSPECTION_LIMITS).
  const { introspection } = measure;
  if (introspection.depth > INTROSPECTION_LIMITS.maxDepth) {
    return new PasserelleError(
      'QUERY_TOO_DEEP',
      {
        actual: `${introspection.depth} levels deep`,
        limit: INTROSPECTION_LIMITS.maxDepth,
        where: ' in introspection',
        scope: '',
      },
      {
        publicExtensions: extensionsOf(INTROSPECTION_LIMITS.maxDepth, introspection.depth, gateway),
      },
    );
  }
  if (introspection.listNesting > INTROSPECTION_LIMITS.maxListNesting) {
    return new PasserelleError(
      'QUERY_TOO_DEEP',
      {
        actual: `${introspection.listNesting} list fields (types, fields, args...) in one another`,
        limit: INTROSPECTION_LIMITS.maxListNesting,
        where: ' in introspection',
        scope: '',
      },
      {
        publicExtensions: extensionsOf(
          INTROSPECTION_LIMITS.maxListNesting,
          introspection.listNesting,
          gateway,
        ),
      },
    );
  }
  // 4. Root fields: each may be a fetch from a data holder.
  if (measure.rootFields > limits.maxRootFields) {
    return new PasserelleError(
      'TOO_MANY_ROOT_FIELDS',
      { actual: measure.rootFields, limit: limits.maxRootFields },
      { publicExtensions: extensionsOf(limits.maxRootFields, measure.rootFields, gateway) },
    );
  }
  // 5. Aliases: the same field asked many times over (alias bombs).
  if (measure.aliases > limits.maxAliases) {
    return new PasserelleError(
      'TOO_MANY_ALIASES',
      { actual: measure.aliases, limit: limits.maxAliases },
      { publicExtensions: extensionsOf(limits.maxAliases, measure.aliases, gateway) },
    );
  }
  // 6. Directives: repeated directives cost validation and execution work for nothing.
  if (measure.directives > limits.maxDirectives) {
    return new PasserelleError(
      'TOO_MANY_DIRECTIVES',
      { actual: measure.directives, limit: limits.maxDirectives },
      { publicExtensions: extensionsOf(limits.maxDirectives, measure.directives, gateway) },
    );
  }
  return undefined;
}
