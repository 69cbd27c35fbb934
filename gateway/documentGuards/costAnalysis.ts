import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { CostModel, ListSize } from './costModel.js';

/**
 * Estimated cost of an operation, before anything is planned or fetched,
 * following the IBM GraphQL cost specification as Apollo's demand control
 * applies it (static estimate):
 * - a field costs its `@cost(weight:)`, else its type's `@cost`, else 1 for
 *   an object and 0 for a scalar or enum (an interface or union: its
 *   heaviest possible type); a root mutation field costs 10 by default;
 * - a field's cost is `count × (weight + cost of its selection)` plus the
 *   `@cost` of the arguments it is given, where `count` is 1, or for a list
 *   the size its `@listSize` gives: the largest value passed to one of its
 *   `slicingArguments` (then their default), else its `assumedSize`, else
 *   the gateway's default list size; `sizedFields` carry that size to the
 *   named child lists (connections);
 * - selections are merged by response key and fragments are entered once
 *   per selection, as execution does; an abstract type costs its most
 *   expensive possible type; `@skip` and `@include` are ignored (the
 *   estimate is an upper bound);
 * - each entity fetch between subgraphs costs 1 per entity: selecting, on an
 *   object resolved by one subgraph, fields only another subgraph resolves.
 * Introspection and `__typename` cost nothing: the gateway answers them.
 */
export type CostEstimate = Readonly<{
  cost: number;
  /** True when a slicing argument was read from a variable: the estimate holds for these variables only. */
  dependsOnVariables: boolean;
}>;

/** Default weight of a root mutation field (Apollo's demand control). */
const MUTATION_WEIGHT = 10;
/** Cost of fetching one entity again from another subgraph. */
const ENTITY_FETCH_WEIGHT = 1;

type Estimation = {
  model: CostModel;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Readonly<Record<string, unknown>>;
  defaultListSize: number;
  dependsOnVariables: boolean;
};

/** The child fields a list's `sizedFields` size, and that size. */
type Sizing = Readonly<{ fields: readonly string[]; size: number }> | undefined;

/**
 * A type's weight without `@cost`: 1 for an object, 0 for a scalar or enum;
 * an interface or union weighs what its heaviest possible type does.
 */
function typeWeight(type: GraphQLNamedType, estimation: Estimation): number {
  if (!isCompositeType(type)) return 0;
  if (!isAbstractType(type)) return 1;
  let most = 1;
  for (const possible of estimation.model.schema.getPossibleTypes(type)) {
    most = Math.max(most, estimation.model.weightOf(possible.name) ?? 1);
  }
  return most;
}

function numberFrom(value: ValueNode, estimation: Estimation): number | undefined {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    estimation.dependsOnVariables = true;
    const given = estimation.variables[value.name.value];
    return typeof given === 'number' && Number.isFinite(given) ? given : undefined;
  }
  return undefined;
}

/** The argument value at a path such as `first` or `page.size`. */
function slicingValue(field: FieldNode, path: string, estimation: Estimation): number | undefined {
  const [head, ...rest] = path.split('.');
  let value: ValueNode | undefined = field.arguments?.find(
    (argument) => argument.name.value === head,
  )?.value;
  for (const key of rest) {
    if (value?.kind !== Kind.OBJECT) return undefined;
    value = value.fields.find((entry) => entry.name.value === key)?.value;
  }
  return value === undefined ? undefined : numberFrom(value, estimation);
}

function listCount(
  definition: GraphQLField<unknown, unknown>,
  node: FieldNode,
  listSize: ListSize | undefined,
  estimation: Estimation,
): number {
  if (listSize === undefined) return estimation.defaultListSize;
  const sliced: number[] = [];
  for (const path of listSize.slicingArguments) {
    const given = slicingValue(node, path, estimation);
    if (given !== undefined) {
      sliced.push(given);
      continue;
    }
    const fallback = definition.args.find((argument) => argument.name === path)?.defaultValue;
    if (typeof fallback === 'number') sliced.push(fallback);
  }
  if (sliced.length > 0) return Math.max(0, ...sliced);
  return listSize.assumedSize ?? estimation.defaultListSize;
}

/** The fields of `type` a set of selections asks, merged by response key (execution's CollectFields). */
function collectFields(
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  estimation: Estimation,
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const entered = new Set<string>();
  const { schema } = estimation.model;
  const applies = (condition: string | undefined) => {
    if (condition === undefined || condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return (
      conditionType !== undefined &&
      isAbstractType(conditionType) &&
      schema.isSubType(conditionType, type)
    );
  };
  const pending = [...selectionSets];
  for (let set = pending.pop(); set !== undefined; set = pending.pop()) {
    for (const selection of set.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          const nodes = fields.get(key);
          if (nodes === undefined) fields.set(key, [selection]);
          else nodes.push(selection);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (applies(selection.typeCondition?.name.value)) pending.push(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = estimation.fragments.get(name);
          if (fragment === undefined || entered.has(name)) break;
          entered.add(name);
          if (applies(fragment.typeCondition.name.value)) pending.push(fragment.selectionSet);
          break;
        }
      }
    }
  }
  return fields;
}

function selectionCost(
  type: GraphQLCompositeType,
  selectionSets: readonly SelectionSetNode[],
  resolvedIn: readonly string[] | undefined,
  sizing: Sizing,
  estimation: Estimation,
  rootWeight: number | undefined,
): number {
  if (selectionSets.length === 0) return 0;
  if (isObjectType(type)) {
    return objectCost(type, selectionSets, resolvedIn, sizing, estimation, rootWeight);
  }
  // An interface or a union: the most expensive type it may be.
  let most = 0;
  for (const possible of estimation.model.schema.getPossibleTypes(type)) {
    most = Math.max(
      most,
      objectCost(possible, selectionSets, resolvedIn, sizing, estimation, rootWeight),
    );
  }
  return most;
}

function objectCost(
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  resolvedIn: readonly string[] | undefined,
  sizing: Sizing,
  estimation: Estimation,
  rootWeight: number | undefined,
): number {
  const { model } = estimation;
  const definitions = type.getFields();
  const entityFetches = new Set<string>();
  let total = 0;
  for (const nodes of collectFields(type, selectionSets, estimation).values()) {
    const [node] = nodes;
    // `__typename`, `__schema` and `__type` are no schema fields: the gateway answers them.
    const definition = node === undefined ? undefined : definitions[node.name.value];
    if (node === undefined || definition === undefined) continue;
    const coordinate = `${type.name}.${definition.name}`;

    // Which subgraphs resolve this field, and whether reaching it is an entity fetch.
    const owners = model.subgraphsOf(coordinate);
    let fieldResolvedIn = owners;
    if (resolvedIn !== undefined && owners.length > 0) {
      const shared = owners.filter((subgraph) => resolvedIn.includes(subgraph));
      if (shared.length > 0) fieldResolvedIn = shared;
      else if (owners[0] !== undefined && !entityFetches.has(owners[0])) {
        entityFetches.add(owners[0]);
        total += ENTITY_FETCH_WEIGHT;
      }
    }

    const named = getNamedType(definition.type);
    const weight =
      model.weightOf(coordinate) ??
      model.weightOf(named.name) ??
      rootWeight ??
      typeWeight(named, estimation);
    let argumentsCost = 0;
    for (const argument of node.arguments ?? []) {
      argumentsCost += model.weightOf(`${coordinate}(${argument.name.value}:)`) ?? 0;
    }

    const listSize = model.listSizeOf(coordinate);
    let count = 1;
    if (isListType(getNullableType(definition.type))) {
      count =
        sizing?.fields.includes(definition.name) === true
          ? sizing.size
          : listCount(definition, node, listSize, estimation);
    }
    const childSizing: Sizing =
      listSize !== undefined && listSize.sizedFields.length > 0
        ? { fields: listSize.sizedFields, size: listCount(definition, node, listSize, estimation) }
        : undefined;
    const below = isCompositeType(named)
      ? selectionCost(
          named,
          nodes.flatMap((field) => (field.selectionSet === undefined ? [] : [field.selectionSet])),
          fieldResolvedIn.length > 0 ? fieldResolvedIn : undefined,
          childSizing,
          estimation,
          undefined,
        )
      : 0;
    total += count * (weight + below) + argumentsCost;
  }
  return total;
}

function operationOf(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName === undefined || operationName === null) {
    return operations.length === 1 ? operations[0] : undefined;
  }
  return operations.find((operation) => operation.name?.value === operationName);
}

/**
 * The estimated cost of the operation `operationName` selects in a
 * validated `document` (0 when there is no such operation: Apollo Server
 * reports it).
 */
export function estimateCost(
  model: CostModel,
  request: Readonly<{
    document: DocumentNode;
    operationName?: string | null | undefined;
    variables?: Readonly<Record<string, unknown>> | undefined;
  }>,
  defaultListSize: number,
): CostEstimate {
  const operation = operationOf(request.document, request.operationName);
  const estimation: Estimation = {
    model,
    fragments: new Map(
      request.document.definitions.flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [],
      ),
    ),
    variables: request.variables ?? {},
    defaultListSize,
    dependsOnVariables: false,
  };
  const root = operation === undefined ? undefined : model.schema.getRootType(operation.operation);
  if (operation === undefined || root === undefined || root === null) {
    return { cost: 0, dependsOnVariables: false };
  }
  const cost = objectCost(
    root,
    [operation.selectionSet],
    undefined,
    undefined,
    estimation,
    operation.operation === 'mutation' ? MUTATION_WEIGHT : undefined,
  );
  return { cost, dependsOnVariables: estimation.dependsOnVariables };
}
