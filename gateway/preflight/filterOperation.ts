import { createHash } from 'node:crypto';
import { type DocumentNode, type FieldNode, Kind, visit } from 'graphql';
import type { DeniedField, OperationAnalysis } from '../../policies/engine/index.js';

/**
 * Filter mode's rewrite: the operation without its denied selections, so
 * that the query planner never asks a data holder for them. Computed once
 * per analysis (itself cached per document, purpose and policy version).
 */
export type FilteredOperation = Readonly<{
  document: DocumentNode;
  /** Key of the filtered document in the gateway's query plan cache. */
  queryHash: string;
  /**
   * The response key of the `__typename` placeholders standing in for
   * selection sets left empty (GraphQL forbids empty ones); removed from the
   * response. Undefined when none was needed.
   */
  placeholder: string | undefined;
  denied: readonly DeniedField[];
  /** The output type, as SDL writes it (`[Person!]!`), at each response path (joined by `pathKey`). */
  typeAt: ReadonlyMap<string, string>;
}>;

export function pathKey(path: readonly string[]): string {
  return path.join('\u0000');
}

const PLACEHOLDER = '_passerelleFilteredOut';

/** A response key the client's document does not use. */
function unusedResponseKey(document: DocumentNode): string {
  const keys = new Set<string>();
  visit(document, {
    Field(node) {
      keys.add(node.alias?.value ?? node.name.value);
    },
  });
  let key = PLACEHOLDER;
  for (let suffix = 1; keys.has(key); suffix += 1) key = `${PLACEHOLDER}${suffix}`;
  return key;
}

function placeholderField(responseKey: string): FieldNode {
  return {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: responseKey },
    name: { kind: Kind.NAME, value: '__typename' },
  };
}

function outputTypes(analysis: OperationAnalysis): Map<string, string> {
  const types = new Map<string, string>();
  for (const use of analysis.used) {
    if (use.type === undefined) continue;
    for (const path of use.paths) types.set(pathKey(path), use.type);
  }
  return types;
}

const filtered = new WeakMap<OperationAnalysis, FilteredOperation>();

/** The analysed operation without its denied fields. */
export function filteredOperationOf(
  analysis: OperationAnalysis,
  queryHash: string,
): FilteredOperation {
  const known = filtered.get(analysis);
  if (known !== undefined) return known;

  const placeholder = unusedResponseKey(analysis.document);
  let placeholderUsed = false;
  const document = visit(analysis.document, {
    Field: {
      enter: (node) => (analysis.deniedNodes.has(node) ? null : undefined),
    },
    SelectionSet: {
      leave(node) {
        if (node.selections.length > 0) return undefined;
        placeholderUsed = true;
        return { ...node, selections: [placeholderField(placeholder)] };
      },
    },
  });
  const operation: FilteredOperation = {
    document,
    queryHash: createHash('sha256')
      .update(
        `${queryHash}\u0000filtered\u0000${analysis.purposeId}\u0000${analysis.policyVersion}`,
      )
      .digest('hex'),
    placeholder: placeholderUsed ? placeholder : undefined,
    denied: analysis.denied,
    typeAt: outputTypes(analysis),
  };
  filtered.set(analysis, operation);
  return operation;
}
