import { type DocumentNode, Kind, parse, type SelectionSetNode } from 'graphql';

/**
 * What a service-scope context (the gateway's own calls, bound to no
 * purpose) may run: the schema read composition needs, `{ _service { sdl } }`,
 * and the readiness probe, `{ __typename }`. Nothing else, `_entities`
 * included: without a purpose there is no data to serve.
 */
const ROOT_FIELDS: ReadonlySet<string> = new Set(['__typename', '_service']);
const SERVICE_FIELDS: ReadonlySet<string> = new Set(['__typename', 'sdl']);

/** Fields only, no fragments and no directives: the two operations above need neither. */
function selectsOnly(
  selectionSet: SelectionSetNode,
  allowed: ReadonlySet<string>,
  nested: (name: string, selectionSet: SelectionSetNode | undefined) => boolean,
): boolean {
  return selectionSet.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      (selection.directives ?? []).length === 0 &&
      (selection.arguments ?? []).length === 0 &&
      allowed.has(selection.name.value) &&
      nested(selection.name.value, selection.selectionSet),
  );
}

function isServiceDocument(document: DocumentNode): boolean {
  return (
    document.definitions.length > 0 &&
    document.definitions.every(
      (definition) =>
        definition.kind === Kind.OPERATION_DEFINITION &&
        definition.operation === 'query' &&
        (definition.directives ?? []).length === 0 &&
        selectsOnly(definition.selectionSet, ROOT_FIELDS, (name, selectionSet) =>
          name === '_service'
            ? selectionSet !== undefined &&
              selectsOnly(selectionSet, SERVICE_FIELDS, (_, leaf) => leaf === undefined)
            : selectionSet === undefined,
        ),
    )
  );
}

/**
 * True when `query` (the request's GraphQL text) runs nothing but
 * `_service { sdl }` and `__typename`. A text that does not parse is not.
 */
export function isServiceOperation(query: unknown): boolean {
  if (typeof query !== 'string') return false;
  try {
    return isServiceDocument(parse(query, { noLocation: true }));
  } catch {
    return false;
  }
}
