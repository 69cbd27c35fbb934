import {
  buildASTSchema,
  type ConstDirectiveNode,
  type ConstValueNode,
  type GraphQLField,
  type GraphQLSchema,
  Kind,
  parse,
} from 'graphql';

/** `@listSize` as declared on a field (IBM GraphQL cost specification, Apollo's cost spec). */
export type ListSize = Readonly<{
  assumedSize: number | undefined;
  slicingArguments: readonly string[];
  sizedFields: readonly string[];
}>;

/**
 * What the cost estimate reads from the supergraph: the schema, with the
 * `@cost` and `@listSize` directives the data holders declared (composition
 * carries them into the supergraph under the cost spec's `@link`), and which
 * subgraphs resolve each field (`@join__field`, else `@join__type`), to
 * count the entity fetches between subgraphs.
 */
export type CostModel = Readonly<{
  schema: GraphQLSchema;
  /** `@cost(weight:)` of a field (`Type.field`), an argument (`Type.field(arg:)`) or a type. */
  weightOf(coordinate: string): number | undefined;
  listSizeOf(coordinate: string): ListSize | undefined;
  /** The subgraphs that resolve `Type.field`; empty when unknown (then never an entity fetch). */
  subgraphsOf(coordinate: string): readonly string[];
}>;

const COST_SPEC = 'https://specs.apollo.dev/cost/';

type DirectiveNames = { cost: string; listSize: string };

function stringOf(value: ConstValueNode | undefined): string | undefined {
  return value?.kind === Kind.STRING || value?.kind === Kind.ENUM ? value.value : undefined;
}

function argumentOf(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((argument) => argument.name.value === name)?.value;
}

function intOf(value: ConstValueNode | undefined): number | undefined {
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function isTrue(value: ConstValueNode | undefined): boolean {
  return value?.kind === Kind.BOOLEAN && value.value;
}

function stringsOf(value: ConstValueNode | undefined): string[] {
  if (value?.kind === Kind.LIST) return value.values.flatMap((item) => stringOf(item) ?? []);
  const single = stringOf(value);
  return single === undefined ? [] : [single];
}

/**
 * The local names of `@cost` and `@listSize` in the supergraph: the cost
 * spec's `@link` may rename the spec (`as:`) or import a directive under
 * another name; unimported directives are namespaced (`@cost__listSize`).
 */
function costDirectiveNames(schemaDirectives: readonly ConstDirectiveNode[]): DirectiveNames {
  const link = schemaDirectives.find(
    (directive) =>
      directive.name.value === 'link' &&
      stringOf(argumentOf(directive, 'url'))?.startsWith(COST_SPEC),
  );
  if (link === undefined) return { cost: 'cost', listSize: 'listSize' };
  const namespace = stringOf(argumentOf(link, 'as')) ?? 'cost';
  let listSize = `${namespace}__listSize`;
  const imports = argumentOf(link, 'import');
  for (const item of imports?.kind === Kind.LIST ? imports.values : []) {
    if (stringOf(item) === '@listSize') listSize = 'listSize';
    if (item.kind === Kind.OBJECT) {
      const field = (name: string) => item.fields.find((entry) => entry.name.value === name)?.value;
      if (stringOf(field('name')) === '@listSize') {
        listSize = (stringOf(field('as')) ?? '@listSize').replace(/^@/, '');
      }
    }
  }
  return { cost: namespace, listSize };
}

function directivesOf(node: { directives?: readonly ConstDirectiveNode[] } | null | undefined) {
  return node?.directives ?? [];
}

export function createCostModel(supergraphSdl: string): CostModel {
  const document = parse(supergraphSdl);
  const schema = buildASTSchema(document, { assumeValidSDL: true });
  const names = costDirectiveNames(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION
        ? directivesOf(definition)
        : [],
    ),
  );

  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const subgraphs = new Map<string, readonly string[]>();
  const readCost = (coordinate: string, directives: readonly ConstDirectiveNode[]) => {
    const cost = directives.find((directive) => directive.name.value === names.cost);
    const weight = cost === undefined ? undefined : intOf(argumentOf(cost, 'weight'));
    if (weight !== undefined) weights.set(coordinate, weight);
  };

  for (const type of Object.values(schema.getTypeMap())) {
    const typeDirectives = [type.astNode, ...type.extensionASTNodes].flatMap(directivesOf);
    readCost(type.name, typeDirectives);
    if (!('getFields' in type) || type.name.startsWith('__')) continue;
    const typeSubgraphs = typeDirectives
      .filter((directive) => directive.name.value === 'join__type')
      .flatMap((directive) => stringOf(argumentOf(directive, 'graph')) ?? []);
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const directives = directivesOf(field.astNode);
      readCost(coordinate, directives);
      if ('args' in field) {
        for (const argument of (field as GraphQLField<unknown, unknown>).args) {
          readCost(`${coordinate}(${argument.name}:)`, directivesOf(argument.astNode));
        }
      }
      const listSize = directives.find((directive) => directive.name.value === names.listSize);
      if (listSize !== undefined) {
        listSizes.set(coordinate, {
          assumedSize: intOf(argumentOf(listSize, 'assumedSize')),
          slicingArguments: stringsOf(argumentOf(listSize, 'slicingArguments')),
          sizedFields: stringsOf(argumentOf(listSize, 'sizedFields')),
        });
      }
      // A field resolved where @join__field says (external copies excepted), else wherever its type lives.
      const joined = directives.filter((directive) => directive.name.value === 'join__field');
      const resolvedIn = joined
        .filter((directive) => !isTrue(argumentOf(directive, 'external')))
        .flatMap((directive) => stringOf(argumentOf(directive, 'graph')) ?? []);
      subgraphs.set(coordinate, joined.length > 0 ? resolvedIn : typeSubgraphs);
    }
  }

  return Object.freeze({
    schema,
    weightOf: (coordinate: string) => weights.get(coordinate),
    listSizeOf: (coordinate: string) => listSizes.get(coordinate),
    subgraphsOf: (coordinate: string) => subgraphs.get(coordinate) ?? [],
  });
}
