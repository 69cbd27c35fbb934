import {
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type FieldDefinitionNode,
  GraphQLError,
  Kind,
  parse,
  type TypeNode,
} from 'graphql';
import { PolicySchemaError } from './errors.js';
import type { Coordinate } from './model.js';
import type { PolicyScope } from './policyScope.js';

/** One field of the schema, as far as policies care. */
export type SchemaField = {
  coordinate: Coordinate;
  typeName: string;
  fieldName: string;
  /** The named type the field returns, lists and non-null removed. */
  returnType: string;
  /** Argument name -> its named type. */
  args: ReadonlyMap<string, string>;
  /**
   * The subgraphs that can resolve the field, by their composed name (e.g.
   * `family-benefits`); every name, known holder or not, so that the
   * compiler can say which subgraph is not a data holder.
   */
  servedBy: readonly string[];
  inaccessible: boolean;
  /** `@reduces(field:, transform:)`: this field is derived from `field` of the same type. */
  reduces?: { field: string; transform: string };
  /** `@sensitive(category:)` */
  sensitive?: string;
  /** `@window(by:, unit:)` */
  window?: { by: string; unit: string };
};

export type SchemaIndex = {
  field(coordinate: Coordinate): SchemaField | undefined;
  /** Derived fields (`@reduces(field: <source>)`) of a source coordinate, in SDL order. */
  derivedFrom(source: Coordinate): readonly SchemaField[];
  /** Every field of object and interface types, for suggestions. */
  fields(): Iterable<SchemaField>;
  enumValues(typeName: string): ReadonlySet<string> | undefined;
};

/**
 * How the engine names the directives the data holders declare. They are
 * composed into the supergraph under the same names (`@composeDirective`).
 */
const DIRECTIVES = { reduces: 'reduces', sensitive: 'sensitive', window: 'window' } as const;

/**
 * Indexes an SDL for policy compilation. In supergraph scope the serving
 * subgraphs come from `@join__type` / `@join__field`; in holder scope (one
 * subgraph's own SDL) every field is served by that holder.
 */
export function indexSchema(sdl: string, scope: PolicyScope): SchemaIndex {
  const document = parseSdl(sdl);
  const graphNames = joinGraphNames(document);
  if (scope.kind === 'supergraph' && graphNames.size === 0) {
    throw new PolicySchemaError(
      'The schema has no join__Graph enum: supergraph scope needs the composed supergraph SDL, not a subgraph SDL.',
    );
  }

  const described: { field: Omit<SchemaField, 'servedBy'>; joinGraphs?: string[] }[] = [];
  const enums = new Map<string, Set<string>>();
  const typeGraphs = new Map<string, string[]>();
  const inaccessibleTypes = new Set<string>();

  for (const definition of document.definitions) {
    if (
      definition.kind === Kind.ENUM_TYPE_DEFINITION ||
      definition.kind === Kind.ENUM_TYPE_EXTENSION
    ) {
      const values = enums.get(definition.name.value) ?? new Set<string>();
      for (const value of definition.values ?? []) values.add(value.name.value);
      enums.set(definition.name.value, values);
      continue;
    }
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    const typeName = definition.name.value;
    const directives = definition.directives ?? [];
    const graphs = typeGraphs.get(typeName) ?? [];
    for (const joinType of named(directives, 'join__type')) {
      const graph = graphNames.get(enumArgument(joinType, 'graph') ?? '');
      if (graph !== undefined && !graphs.includes(graph)) graphs.push(graph);
    }
    typeGraphs.set(typeName, graphs);
    if (named(directives, 'inaccessible').length > 0) inaccessibleTypes.add(typeName);
    for (const field of definition.fields ?? []) {
      const joinGraphs = servingGraphs(field, graphNames);
      described.push({
        field: describeField(typeName, field),
        ...(joinGraphs === undefined ? {} : { joinGraphs }),
      });
    }
  }

  // A field without @join__field is served by every graph defining its type,
  // known only once every definition and extension of the type is read.
  const fields: SchemaField[] = described.map(({ field, joinGraphs }) => ({
    ...field,
    servedBy:
      scope.kind === 'holder'
        ? [scope.holder]
        : (joinGraphs ?? typeGraphs.get(field.typeName) ?? []),
    inaccessible: field.inaccessible || inaccessibleTypes.has(field.typeName),
  }));
  const finalByCoordinate = new Map(fields.map((field) => [field.coordinate, field]));
  const derived = new Map<Coordinate, SchemaField[]>();
  for (const field of fields) {
    if (field.reduces === undefined) continue;
    const source = `${field.typeName}.${field.reduces.field}`;
    derived.set(source, [...(derived.get(source) ?? []), field]);
  }

  return {
    field: (coordinate) => finalByCoordinate.get(coordinate),
    derivedFrom: (source) => derived.get(source) ?? [],
    fields: () => finalByCoordinate.values(),
    enumValues: (typeName) => enums.get(typeName),
  };
}

function parseSdl(sdl: string): DocumentNode {
  try {
    return parse(sdl, { noLocation: true });
  } catch (error) {
    if (error instanceof GraphQLError) {
      throw new PolicySchemaError(`The schema SDL does not parse: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Field facts read from its definition; `servedBy` is settled by the caller. */
function describeField(
  typeName: string,
  field: FieldDefinitionNode,
): Omit<SchemaField, 'servedBy'> {
  const directives = field.directives ?? [];
  const [reduces] = named(directives, DIRECTIVES.reduces);
  const [sensitive] = named(directives, DIRECTIVES.sensitive);
  const [window] = named(directives, DIRECTIVES.window);
  const reducedField = reduces && stringArgument(reduces, 'field');
  const reducedBy = reduces && stringArgument(reduces, 'transform');
  const sensitiveCategory = sensitive && stringArgument(sensitive, 'category');
  const windowBy = window && stringArgument(window, 'by');
  const windowUnit = window && stringArgument(window, 'unit');
  return {
    coordinate: `${typeName}.${field.name.value}`,
    typeName,
    fieldName: field.name.value,
    returnType: namedType(field.type),
    args: new Map(
      (field.arguments ?? []).map((argument) => [argument.name.value, namedType(argument.type)]),
    ),
    inaccessible: named(directives, 'inaccessible').length > 0,
    ...(reducedField !== undefined && reducedBy !== undefined
      ? { reduces: { field: reducedField, transform: reducedBy } }
      : {}),
    ...(sensitive === undefined ? {} : { sensitive: sensitiveCategory ?? 'unspecified' }),
    ...(windowBy !== undefined && windowUnit !== undefined
      ? { window: { by: windowBy, unit: windowUnit } }
      : {}),
  };
}

/**
 * The graphs listed by the field's `@join__field`s, leaving out those that
 * only declare it `external` or whose definition was overridden: those
 * graphs do not resolve it. Undefined when the field has no `@join__field`.
 */
function servingGraphs(
  field: FieldDefinitionNode,
  graphNames: ReadonlyMap<string, string>,
): string[] | undefined {
  const joins = named(field.directives ?? [], 'join__field');
  if (joins.length === 0) return undefined;
  const graphs: string[] = [];
  for (const join of joins) {
    if (booleanArgument(join, 'external') || booleanArgument(join, 'usedOverridden')) continue;
    const graph = graphNames.get(enumArgument(join, 'graph') ?? '');
    if (graph !== undefined && !graphs.includes(graph)) graphs.push(graph);
  }
  return graphs;
}

/** `enum join__Graph { FAMILY_BENEFITS @join__graph(name: "family-benefits", ...) }` */
function joinGraphNames(document: DocumentNode): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') {
      continue;
    }
    for (const value of definition.values ?? []) {
      const [graph] = named(value.directives ?? [], 'join__graph');
      const name = graph && stringArgument(graph, 'name');
      if (name !== undefined) names.set(value.name.value, name);
    }
  }
  return names;
}

function named(directives: readonly ConstDirectiveNode[], name: string): ConstDirectiveNode[] {
  return directives.filter((directive) => directive.name.value === name);
}

function argumentValue(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((argument) => argument.name.value === name)?.value;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argumentValue(directive, name);
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function enumArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argumentValue(directive, name);
  return value?.kind === Kind.ENUM ? value.value : undefined;
}

function booleanArgument(directive: ConstDirectiveNode, name: string): boolean {
  const value = argumentValue(directive, name);
  return value?.kind === Kind.BOOLEAN && value.value;
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}
