/**
 * graphql-shield rules for a data holder's subgraph: the holder-side
 * enforcement of purposes (defence in depth behind the gateway's pre-flight).
 *
 * Deny by default. The rule tree is built from the holder's schema alone,
 * one rule per field it serves; each rule reads the request's purpose from
 * the context when it runs. So a policy reload changes what is served without
 * rebuilding the schema, and the tree never names a field the schema lacks
 * (shield refuses such trees).
 *
 * Federation pitfalls (STACK.md, pitfalls 7 and 8; graphql-shield issues
 * #641, #1111 and #1387): `Query._entities`, `Query._service`, `_Service.sdl`
 * and the entities' key fields must be allowed, and `__resolveReference` must
 * have no rule; a denied field must carry our own error code, not shield's
 * INTERNAL_SERVER_ERROR.
 */
import {
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  Kind,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
} from 'graphql';
import type { IMiddlewareGenerator } from 'graphql-middleware';
import { allow, deny, type IRules, rule, shield } from 'graphql-shield';
import type {
  ArgumentConstraint,
  CompiledPurpose,
  Coordinate,
  Grant,
  PeriodWindow,
} from './model.js';
import { enumeratesPersons } from './operationCheck.js';

/** The codes a refused field carries (the gateway's error catalogue has the same). */
export type PurposeRefusalCode =
  | 'PURPOSE_FIELD_DENIED'
  | 'PURPOSE_UNKNOWN'
  | 'PURPOSE_NOT_GRANTED'
  | 'PURPOSE_NOT_ACTIVE';

/** Why a request is bound to no purpose: every field it selects is refused with this. */
export type PurposeRefusal = {
  code: PurposeRefusalCode;
  /** The purpose the request declared, if any. */
  purposeId: string | undefined;
  /** What is wrong and what to change, e.g. `Purpose "x" is not in the policies of this data holder.` */
  message: string;
};

/**
 * What the rules read from the request context. The data holder binds the
 * request to its purpose before execution; `purpose` is undefined when it
 * could not, and `purposeRefusal` then says why.
 */
export type PurposeShieldContext = {
  purpose: CompiledPurpose | undefined;
  purposeRefusal?: PurposeRefusal | undefined;
};

/**
 * Rule cache mode for fields without arguments (their rule depends only on
 * the request's purpose). Fields with arguments are never cached: the same
 * field may be selected twice with different arguments (aliases).
 */
export type PurposeRuleCache = 'contextual' | 'no_cache';

export type PurposeShieldOptions = {
  /** Today's date on the data holder's clock (`YYYY-MM-DD`), for argument windows. */
  today: () => string;
  /** Default `no_cache`: measured as fast as `contextual`, and simpler (bench/shieldOverhead.ts). */
  cache?: PurposeRuleCache;
};

/** Fields federation itself needs; they carry no personal data. */
const FEDERATION_FIELDS: ReadonlySet<Coordinate> = new Set([
  'Query._entities',
  'Query._service',
  '_Service.sdl',
]);

/**
 * The rule tree for a holder's schema: every field of every object type has
 * a rule. Federation's own fields and the entities' key fields (`Person.id`)
 * are allowed: the gateway needs the keys to join subgraphs, and it never
 * lets a re-user select them (`@inaccessible`). Every other field is served
 * only when the purpose makes it selectable and its arguments satisfy the
 * grant's constraints.
 */
export function buildPurposeRuleTree(schema: GraphQLSchema, options: PurposeShieldOptions): IRules {
  const cache = options.cache ?? 'no_cache';
  const tree: Record<string, Record<string, FieldRule>> = {};
  const queryType = schema.getQueryType()?.name;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isServedObjectType(type)) continue;
    const keyFields = entityKeyFields(type.astNode, type.extensionASTNodes);
    const fields: Record<string, FieldRule> = {};
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      fields[field.name] =
        FEDERATION_FIELDS.has(coordinate) || keyFields.has(field.name)
          ? allow
          : purposeRule(
              coordinate,
              field.args.length > 0 ? 'no_cache' : cache,
              options.today,
              // As the gateway's pre-flight: a root field listing persons
              // needs a grant that bounds it (`enumeration: { maxPersons }`).
              type.name === queryType && enumeratesPersons(schema, field),
            );
    }
    tree[type.name] = fields;
  }
  return tree;
}

type FieldRule = ReturnType<ReturnType<typeof rule>> | typeof allow;

/**
 * An object type other than introspection's. Tested by tag rather than with
 * graphql's `isObjectType`: the schema may come from the other of graphql's
 * two builds (CommonJS for @apollo/subgraph, ESM for a bundler's view of this
 * file), and `instanceof` fails across them.
 */
function isServedObjectType(type: GraphQLNamedType): type is GraphQLObjectType {
  return (
    Object.prototype.toString.call(type) === '[object GraphQLObjectType]' &&
    !type.name.startsWith('__')
  );
}

/**
 * The shield middleware for a holder's schema, to pass to graphql-middleware's
 * `applyMiddleware`.
 *
 * - `fallbackRule: deny`: a field without a rule is refused (there is none, by
 *   construction; this is the safety net).
 * - `allowExternalErrors: true`: an error thrown by a resolver (a malformed
 *   identifier, BAD_USER_INPUT) keeps its own code. Without it shield would
 *   replace every resolver error with the fallback error and a re-user would
 *   read "your purpose does not grant this" for a typo. A rule that throws is
 *   still a denial: shield turns it into `false` when `debug` is off.
 * - `debug: false`: never surface a rule's internals to the client.
 */
export function purposeShield(
  schema: GraphQLSchema,
  options: PurposeShieldOptions,
): IMiddlewareGenerator<unknown, PurposeShieldContext, unknown> {
  return shield(buildPurposeRuleTree(schema, options), {
    fallbackRule: deny,
    fallbackError: (_error, _parent, _args, context, info) =>
      fieldRefused(context as unknown as PurposeShieldContext, info),
    allowExternalErrors: true,
    debug: false,
  }) as IMiddlewareGenerator<unknown, PurposeShieldContext, unknown>;
}

function purposeRule(
  coordinate: Coordinate,
  cache: PurposeRuleCache,
  today: () => string,
  listsPersons: boolean,
) {
  // The name is the cache key of a contextual rule: one per coordinate.
  return rule(`purpose:${coordinate}`, { cache })(
    (_parent: unknown, args: Record<string, unknown>, context: PurposeShieldContext) => {
      const selectable = context.purpose?.selectable.get(coordinate);
      if (selectable === undefined) return false;
      if (listsPersons && selectable.grant.enumeration === undefined) return false;
      const constraints = selectable.grant.args;
      if (constraints === undefined) return true;
      return argumentsAllowed(coordinate, constraints, args, context.purpose, today);
    },
  );
}

/** True, or the error naming the first argument outside the grant's constraints. */
function argumentsAllowed(
  coordinate: Coordinate,
  constraints: NonNullable<Grant['args']>,
  args: Record<string, unknown>,
  purpose: CompiledPurpose | undefined,
  today: () => string,
): true | GraphQLError {
  for (const [argument, constraint] of Object.entries(constraints)) {
    const value = args[argument];
    if (!satisfies(constraint, value, today)) {
      return new GraphQLError(
        `Purpose "${purpose?.id}" allows ${coordinate} only with argument "${argument}" ${describeConstraint(constraint)}; got ${JSON.stringify(value ?? null)}. Change the argument or ask for a purpose that grants it.`,
        {
          extensions: {
            code: 'PURPOSE_ARGUMENT_DENIED',
            coordinate,
            argument,
            purpose: purpose?.id,
          },
        },
      );
    }
  }
  return true;
}

/** An absent argument never satisfies a constraint: the grant says what must be asked. */
function satisfies(constraint: ArgumentConstraint, value: unknown, today: () => string): boolean {
  switch (constraint.kind) {
    case 'window':
      return (
        value !== undefined && value !== null && isInPeriodWindow(value, constraint.window, today())
      );
    case 'oneOf':
      return (
        (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
        constraint.values.includes(value)
      );
  }
}

function describeConstraint(constraint: ArgumentConstraint): string {
  switch (constraint.kind) {
    case 'window':
      return `in ${describeWindow(constraint.window)}`;
    case 'oneOf':
      return `one of ${constraint.values.map((value) => JSON.stringify(value)).join(', ')}`;
  }
}

/** E.g. "the current month", "the year N-1", "the current month and the 2 before". */
function describeWindow(window: PeriodWindow): string {
  const unit = { month: 'month', year: 'year', academicYear: 'academic year' }[window.unit];
  const period = (n: number) => (n === 0 ? 'N' : `N${n < 0 ? '-' : '+'}${Math.abs(n)}`);
  if (window.from === 0 && window.to === 0) return `the current ${unit}`;
  if (window.from === window.to) return `the ${unit} ${period(window.from)}`;
  if (window.to === 0 && window.from < 0)
    return `the current ${unit} and the ${-window.from} before`;
  return `the ${unit}s from ${period(window.from)} to ${period(window.to)} (N: the current one)`;
}

/** The error a refused field carries: which field, for which purpose, and what to do. */
function fieldRefused(context: PurposeShieldContext, info: GraphQLResolveInfo): GraphQLError {
  const coordinate = `${info.parentType.name}.${info.fieldName}`;
  const purpose = context.purpose;
  if (purpose === undefined) {
    const refusal = context.purposeRefusal ?? {
      code: 'PURPOSE_FIELD_DENIED',
      purposeId: undefined,
      message: 'No purpose is bound to this request.',
    };
    return new GraphQLError(
      `${refusal.message} The data holder serves no personal data without a purpose: ${coordinate} is refused.`,
      { extensions: { code: refusal.code, coordinate, purpose: refusal.purposeId } },
    );
  }
  // Granted, yet refused by its rule: a root field listing persons without a bound.
  if (purpose.selectable.has(coordinate)) {
    return new GraphQLError(
      `Purpose "${purpose.id}" grants ${coordinate} without a bound, and it could list persons without identifying them. Look persons up by identifier, or have the purpose grant it with enumeration: { maxPersons: N }.`,
      {
        extensions: {
          code: 'PURPOSE_FIELD_DENIED',
          coordinate,
          purpose: purpose.id,
          reason: 'ENUMERATION',
        },
      },
    );
  }
  return new GraphQLError(
    `Purpose "${purpose.id}" does not grant ${coordinate}.${reducedAlternative(purpose, coordinate)} Remove it from the query, or ask for a purpose that grants it.`,
    { extensions: { code: 'PURPOSE_FIELD_DENIED', coordinate, purpose: purpose.id } },
  );
}

/** When the purpose grants the field only with reduced precision, names the derived field to select. */
function reducedAlternative(purpose: CompiledPurpose, coordinate: Coordinate): string {
  if (purpose.grants.get(coordinate)?.transform === undefined) return '';
  const derived = [...purpose.selectable.values()].filter(
    (selectable) =>
      selectable.transform !== undefined && selectable.grant.coordinate === coordinate,
  );
  if (derived.length === 0) return '';
  return ` It grants it with reduced precision only: select ${derived.map((field) => field.coordinate).join(' or ')} instead.`;
}

/** The fields named in the type's `@key(fields: "...")` directives (simple keys: field names). */
function entityKeyFields(
  definition: ObjectTypeDefinitionNode | null | undefined,
  extensions: readonly ObjectTypeExtensionNode[],
): Set<string> {
  const keys = new Set<string>();
  for (const node of [definition, ...extensions]) {
    for (const directive of node?.directives ?? []) {
      if (directive.name.value !== 'key') continue;
      const fields = directive.arguments?.find((argument) => argument.name.value === 'fields');
      if (fields?.value.kind !== Kind.STRING) continue;
      for (const name of fields.value.value.split(/[\s{}]+/)) if (name !== '') keys.add(name);
    }
  }
  return keys;
}

const DATE_OR_MONTH = /^(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?$/;
const YEAR = /^\d{4}$/;
const ACADEMIC_YEAR = /^(\d{4})-(\d{4})$/;

/**
 * Position of a period on the scale of `unit`, so that windows compare
 * integers: months count from year 0 (`2026-11` and `2026-11-15` are month
 * 24322), years are themselves, academic years (September to August) are
 * their first year (`2026-2027` and `2026-10-01` are 2026). Undefined when
 * the value is not a period of that unit (a month has no academic year
 * label; a year has no month).
 */
function periodIndex(value: unknown, unit: PeriodWindow['unit']): number | undefined {
  if (typeof value === 'number') {
    return unit === 'year' && Number.isInteger(value) ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const academicYear = ACADEMIC_YEAR.exec(value);
  if (academicYear !== null) {
    const first = Number(academicYear[1]);
    return unit === 'academicYear' && Number(academicYear[2]) === first + 1 ? first : undefined;
  }
  if (YEAR.test(value)) return unit === 'year' ? Number(value) : undefined;
  const dated = DATE_OR_MONTH.exec(value);
  if (dated === null) return undefined;
  const year = Number(dated[1]);
  const month = Number(dated[2]);
  switch (unit) {
    case 'month':
      return year * 12 + month - 1;
    case 'year':
      return year;
    case 'academicYear':
      return month >= 9 ? year : year - 1;
  }
}

/**
 * Whether a period (a month, a date, a year, an academic year) lies in a
 * window relative to `today` (`YYYY-MM-DD`, the holder's clock), both ends
 * included. A value that is not a period of the window's unit is outside.
 */
export function isInPeriodWindow(value: unknown, window: PeriodWindow, today: string): boolean {
  const current = periodIndex(today, window.unit);
  if (current === undefined)
    throw new RangeError(`today must be a date YYYY-MM-DD, got "${today}"`);
  const index = periodIndex(value, window.unit);
  return index !== undefined && index >= current + window.from && index <= current + window.to;
}
