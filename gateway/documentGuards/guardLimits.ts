/**
 * The limits the gateway puts on every GraphQL document (DOMAIN.md M4, S7).
 * The gateway's values come from its configuration (`config/`); a purpose
 * may tighten `maxDepth` and `maxCost` (`PurposeLimits`), never loosen them.
 */
export type GuardLimits = Readonly<{
  /** Nesting of fields below the operation root, fragments inlined; `__typename` adds no level. */
  maxDepth: number;
  /** Aliased fields, fragments inlined (each spread counts what its fragment holds). */
  maxAliases: number;
  /** Distinct top-level response keys of the operation, `__typename` excepted. */
  maxRootFields: number;
  /** Directive uses anywhere in the operations, fragments inlined. */
  maxDirectives: number;
  /** Lexical tokens of the document, as graphql-js counts them (comments excluded). */
  maxTokens: number;
  /** The query text's size in UTF-8 bytes. */
  maxDocumentBytes: number;
  /** The highest estimated cost (IBM GraphQL cost specification, see `costAnalysis.ts`). */
  maxCost: number;
  /** Items assumed in a list field that declares no `@listSize`. */
  defaultListSize: number;
}>;

/**
 * Introspection (`__schema`, `__type` at the query root) is answered by the
 * gateway from the schema, never by a data holder, so the data depth limit
 * does not apply to it: the standard introspection query is 15 levels deep.
 * Its own bounds stop the known introspection bomb instead: nesting many
 * list fields (`types { fields { type { fields { ... } } } }`) multiplies
 * the answer's size by the schema size at each level.
 */
export const INTROSPECTION_LIMITS = Object.freeze({
  maxDepth: 20,
  /** `types`, `fields`, `args`... along one path; the standard query needs 3. */
  maxListNesting: 3,
});
