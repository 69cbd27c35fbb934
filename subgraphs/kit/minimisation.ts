import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import {
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLFieldResolver,
  Kind,
} from 'graphql';
import type { Clock } from '../../policies/engine/index.js';
import {
  type CompiledPurpose,
  type Coordinate,
  isInPeriodWindow,
  type SelectableField,
} from '../../policies/engine/index.js';
import { applyTransform } from './transforms.js';

/** What minimisation reads from the request context. */
export type MinimisationContext = { purpose: CompiledPurpose | undefined; clock: Clock };

/** A field declared `@reduces(field:, transform:)`. */
type DerivedField = {
  typeName: string;
  fieldName: string;
  /** The field of the same type whose value is reduced. */
  source: string;
  transform: string;
};

/** A list field declared `@window(by:, unit:)`. */
type WindowedField = {
  typeName: string;
  fieldName: string;
  /** The item field holding each item's period. */
  by: string;
  unit: string;
};

/** The derived and windowed fields a holder's SDL declares. */
function minimisationFields(typeDefs: DocumentNode): {
  derived: DerivedField[];
  windowed: WindowedField[];
} {
  const derived: DerivedField[] = [];
  const windowed: WindowedField[] = [];
  for (const definition of typeDefs.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION
    ) {
      continue;
    }
    const typeName = definition.name.value;
    for (const field of definition.fields ?? []) {
      const fieldName = field.name.value;
      for (const directive of field.directives ?? []) {
        if (directive.name.value === 'reduces') {
          derived.push({
            typeName,
            fieldName,
            source: stringArgument(directive, 'field'),
            transform: stringArgument(directive, 'transform'),
          });
        } else if (directive.name.value === 'window') {
          windowed.push({
            typeName,
            fieldName,
            by: stringArgument(directive, 'by'),
            unit: stringArgument(directive, 'unit'),
          });
        }
      }
    }
  }
  return { derived, windowed };
}

function stringArgument(directive: ConstDirectiveNode, name: string): string {
  const argument = directive.arguments?.find((candidate) => candidate.name.value === name);
  if (argument?.value.kind !== Kind.STRING) {
    throw new TypeError(`@${directive.name.value} needs a string argument "${name}"`);
  }
  return argument.value.value;
}

type Resolver = GraphQLFieldResolver<unknown, MinimisationContext>;
type FieldResolvers = Record<string, unknown>;

/**
 * A holder's resolvers, completed with minimisation, so that data a purpose
 * does not get never leaves the data holder:
 * - a derived field (`@reduces`) serves its source value reduced with the
 *   transform and parameters of the request's purpose;
 * - a windowed list (`@window`) serves only the items whose period lies in
 *   the purpose's window, on the holder's clock (no window in the grant: the
 *   whole list, since the grant was explicit).
 *
 * Resolvers run behind the purpose shield, so a purpose reaching them grants
 * the field; a missing grant is therefore a fault, and fails closed.
 */
export function withMinimisation<Context extends MinimisationContext>(
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<Context>,
): GraphQLResolverMap<Context> {
  const { derived, windowed } = minimisationFields(typeDefs);
  const completed: Record<string, FieldResolvers> = {};
  for (const [typeName, typeResolvers] of Object.entries(resolvers)) {
    completed[typeName] = { ...(typeResolvers as FieldResolvers) };
  }
  const typeResolvers = (typeName: string): FieldResolvers => {
    completed[typeName] ??= {};
    return completed[typeName];
  };
  for (const field of derived) {
    const own = typeResolvers(field.typeName);
    own[field.fieldName] = derivedResolver(field, resolverOf(own[field.source], field.source));
  }
  for (const field of windowed) {
    const own = typeResolvers(field.typeName);
    own[field.fieldName] = windowedResolver(
      field,
      resolverOf(own[field.fieldName], field.fieldName),
    );
  }
  return completed as GraphQLResolverMap<Context>;
}

/** The holder's own resolver for a field, or GraphQL's default: the parent's property. */
function resolverOf(entry: unknown, fieldName: string): Resolver {
  if (typeof entry === 'function') return entry as Resolver;
  if (typeof entry === 'object' && entry !== null && 'resolve' in entry) {
    return entry.resolve as Resolver;
  }
  return (parent) => (parent as Record<string, unknown>)[fieldName];
}

function grantedField(context: MinimisationContext, coordinate: Coordinate): SelectableField {
  const selectable = context.purpose?.selectable.get(coordinate);
  if (selectable === undefined) {
    throw new Error(`${coordinate} was resolved without a purpose granting it.`);
  }
  return selectable;
}

function derivedResolver(field: DerivedField, source: Resolver): Resolver {
  const coordinate = `${field.typeName}.${field.fieldName}`;
  return (parent, args, context, info) => {
    const { transform } = grantedField(context, coordinate);
    if (transform?.kind !== field.transform) {
      throw new Error(
        `${coordinate} is declared @reduces(transform: "${field.transform}") but the purpose's transform is ${transform?.kind ?? 'missing'}.`,
      );
    }
    const today = context.clock.today();
    return then(source(parent, args, context, info), (value) =>
      applyTransform(transform, value, today),
    );
  };
}

function windowedResolver(field: WindowedField, list: Resolver): Resolver {
  const coordinate = `${field.typeName}.${field.fieldName}`;
  return (parent, args, context, info) => {
    const { window } = grantedField(context, coordinate).grant;
    if (window === undefined) return list(parent, args, context, info);
    const today = context.clock.today();
    return then(list(parent, args, context, info), (items) =>
      (items as Record<string, unknown>[] | null | undefined)?.filter((item) =>
        isInPeriodWindow(item[field.by], window, today),
      ),
    );
  };
}

/** Applies `use` to a value or, without turning a plain value into a promise, to a promise's result. */
function then(value: unknown, use: (value: unknown) => unknown): unknown {
  return value instanceof Promise ? value.then(use) : use(value);
}
