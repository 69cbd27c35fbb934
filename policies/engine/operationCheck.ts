import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type SelectionSetNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import {
  type ArgumentConstraint,
  type CompiledPurpose,
  type Coordinate,
  PERSON_TYPE,
  type PeriodWindow,
} from './model.js';

/**
 * The gateway's pre-flight check: which schema coordinates an operation
 * selects, which of them a purpose does not grant, and whether the values it
 * passes to constrained arguments are inside what the purpose allows.
 *
 * The work is split in two so that the hot path stays a map lookup:
 * - the document-level analysis (coordinates, response paths, denied fields,
 *   argument nodes) depends only on the document, the operation name, the
 *   purpose and the policy version; it is computed once and kept in a
 *   bounded LRU map;
 * - argument values come from literals and variables and are checked against
 *   "today" on every request, which is cheap: a handful of arguments at most.
 *
 * Rules of the walk:
 * - fragments are inlined (named and inline, nested); a fragment spread
 *   inside itself is skipped, so a cyclic document (which validation refuses
 *   anyway) can never make the walk loop;
 * - an alias is resolved to the field it names: `birth: birthDate` is
 *   `Person.birthDate`, and `__typename: birthDate` too;
 * - `__typename` is always allowed and is not a coordinate;
 * - introspection (`__schema`, `__type`) is left to other rules: the walk
 *   does not descend into it. Only those field names are special: a fragment
 *   *named* `__schema` is an ordinary fragment;
 * - `@skip` and `@include` are ignored: a field counts even when a variable
 *   would skip it, so the decision never depends on variables;
 * - a field the schema does not know (validation refuses it first) is denied.
 *
 * The schema is read by shape, not with graphql-js's `isObjectType` and
 * friends: the gateway's schema comes from Apollo's CommonJS build, and an
 * ESM importer may load a second copy of graphql-js whose class checks
 * refuse it (they throw "from another module or realm").
 */

/** Where a field appears in the response: response keys (aliases as the client sees them), no list indexes. */
export type ResponsePath = readonly string[];

/** One coordinate the operation selects, and every place it appears in the response. */
export type FieldUse = {
  coordinate: Coordinate;
  /** The field's output type as SDL writes it, e.g. `[Person!]!`; undefined for a field the schema lacks. */
  type: string | undefined;
  paths: readonly ResponsePath[];
};

/**
 * Why a field is refused. `NOT_GRANTED`: the purpose's grants do not list it
 * (or list it only through a derived field, see `grantedInstead`).
 * `ENUMERATION`: a root field that could list persons without an identifier
 * (a list or a search), which the purpose grants without the explicit bound
 * `enumeration: { maxPersons }`: persons are reached by identifier lookups only.
 */
export type DenialReason = 'NOT_GRANTED' | 'ENUMERATION';

export type DeniedField = FieldUse & {
  reason: DenialReason;
  /** Derived coordinates the purpose grants in place of this one, e.g. `Person.birthYear` for `Person.birthDate`. */
  grantedInstead: readonly Coordinate[];
  /** For the client, when `grantedInstead` is not empty: "this purpose gets Person.birthYear instead". */
  hint?: string;
};

/** An argument the purpose constrains, as the operation writes it. */
export type ConstrainedArgument = {
  coordinate: Coordinate;
  argument: string;
  constraint: ArgumentConstraint;
  path: ResponsePath;
  /** The value as written (literal or variable); undefined when the argument is absent. */
  valueNode: ValueNode | undefined;
  /** The default value the schema declares for the argument, if any. */
  schemaDefault: unknown;
};

/** The document-level part of the check, cached per (document, operation, purpose, policy version). */
export type OperationAnalysis = {
  /** The document analysed: `deniedNodes` are nodes of this very object. */
  document: DocumentNode;
  purposeId: string;
  policyVersion: string;
  operationName: string | null;
  /** Every coordinate selected, in document order. */
  used: readonly FieldUse[];
  /** The coordinates the purpose does not grant, in document order. */
  denied: readonly DeniedField[];
  /** The field nodes of denied coordinates: what a filtering gateway removes from the operation. */
  deniedNodes: ReadonlySet<FieldNode>;
  constrainedArguments: readonly ConstrainedArgument[];
  /** Default values of the operation's variables, by variable name. */
  variableDefaults: ReadonlyMap<string, ValueNode>;
  /**
   * The tightest `enumeration.maxPersons` of the enumerating root fields the
   * operation selects: the most distinct persons its response may carry.
   * Undefined when it selects none.
   */
  maxPersons: number | undefined;
};

/** An argument value outside what the purpose allows. */
export type ArgumentViolation = {
  coordinate: Coordinate;
  argument: string;
  path: ResponsePath;
  /** What is wrong with the value, e.g. `"2026-09" is before the allowed period`. */
  problem: string;
  /** What the purpose allows, in words relative to today, e.g. `2026-11 only`. */
  allowed: string;
  constraint: ArgumentConstraint;
};

/** The outcome of one request's check. */
export type OperationCheck = {
  analysis: OperationAnalysis;
  argumentViolations: readonly ArgumentViolation[];
  /** True when nothing is denied and every argument is allowed. */
  allowed: boolean;
};

/**
 * The operation expands to more field selections than the checker walks once
 * fragments are inlined (a fragment fan-out can grow exponentially). Such a
 * document is refused rather than half checked.
 */
export class OperationTooLargeError extends Error {
  override readonly name = 'OperationTooLargeError';

  constructor(readonly limit: number) {
    super(`the operation selects more than ${limit} fields once its fragments are inlined`);
  }
}

/** Largest number of field selections walked for one operation, fragments inlined. */
export const MAX_FIELD_SELECTIONS = 20_000;

const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);
const TYPENAME = '__typename';

/** Derived coordinates by source coordinate, per purpose (purposes are immutable). */
const derivedFieldsByPurpose = new WeakMap<
  CompiledPurpose,
  ReadonlyMap<Coordinate, Coordinate[]>
>();

function derivedFieldsOf(purpose: CompiledPurpose): ReadonlyMap<Coordinate, Coordinate[]> {
  let derived = derivedFieldsByPurpose.get(purpose);
  if (derived === undefined) {
    const bySource = new Map<Coordinate, Coordinate[]>();
    for (const field of purpose.selectable.values()) {
      if (field.grant.coordinate === field.coordinate) continue;
      const list = bySource.get(field.grant.coordinate) ?? [];
      list.push(field.coordinate);
      bySource.set(field.grant.coordinate, list);
    }
    derived = bySource;
    derivedFieldsByPurpose.set(purpose, derived);
  }
  return derived;
}

function findOperation(document: DocumentNode, operationName: string | null | undefined) {
  const operation = getOperationAST(document, operationName);
  if (operation === null || operation === undefined) {
    throw new Error(
      operationName ? `no operation named "${operationName}"` : 'no single operation to check',
    );
  }
  return operation;
}

function fragmentsOf(document: DocumentNode): ReadonlyMap<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  return fragments;
}

type Recorded = {
  type: string | undefined;
  paths: Map<string, ResponsePath>;
  nodes: FieldNode[];
  /** A root field that could list persons without an identifier. */
  enumerates: boolean;
};

/** Whether persons can be reached from each named type, per schema. */
const reachesPersonBySchema = new WeakMap<GraphQLSchema, Map<string, boolean>>();

/** Whether a field of this named type can lead to persons (the type itself, or any of its fields'). */
function reachesPerson(schema: GraphQLSchema, type: GraphQLNamedType): boolean {
  let known = reachesPersonBySchema.get(schema);
  if (known === undefined) {
    known = new Map();
    reachesPersonBySchema.set(schema, known);
  }
  const visit = (named: GraphQLNamedType): boolean => {
    const cached = known.get(named.name);
    if (cached !== undefined) return cached;
    // Assumed false while visiting, so that recursive types terminate.
    known.set(named.name, false);
    let result = named.name === PERSON_TYPE;
    if (!result && 'getTypes' in named) {
      result = named.getTypes().some((member) => visit(member));
    }
    if (!result && 'getInterfaces' in named) {
      const fields = (named as CompositeType).getFields?.() ?? {};
      result = Object.values(fields).some((field) => visit(namedTypeOf(field.type)));
    }
    known.set(named.name, result);
    return result;
  };
  return visit(type);
}

/**
 * A root field that could enumerate persons: it returns a list leading to
 * persons, and takes no required argument to identify whom (a lookup by
 * identifier or pivot identity requires one).
 */
export function enumeratesPersons(
  schema: GraphQLSchema,
  field: GraphQLField<unknown, unknown>,
): boolean {
  if (!field.type.toString().includes('[')) return false;
  if (!reachesPerson(schema, namedTypeOf(field.type))) return false;
  return !field.args.some(
    (arg) => arg.type.toString().endsWith('!') && arg.defaultValue === undefined,
  );
}

/** An object, interface or union type, told by shape (see above); unions have no fields. */
type CompositeType = {
  name: string;
  getFields?: () => Record<string, GraphQLField<unknown, unknown>>;
};

function asComposite(type: GraphQLNamedType | null | undefined): CompositeType | undefined {
  if (type === null || type === undefined) return undefined;
  // Objects and interfaces implement interfaces, unions list types; input objects do neither.
  if ('getInterfaces' in type) return type;
  if ('getTypes' in type) return { name: type.name };
  return undefined;
}

/** The named type inside list and non-null wrappers. */
function namedTypeOf(type: GraphQLOutputType): GraphQLNamedType {
  let current: GraphQLOutputType = type;
  while ('ofType' in current) current = current.ofType;
  return current;
}

/**
 * Walks one operation of `document` for `purpose`. Pure; prefer the cached
 * `createOperationChecker(...).analyse`. Throws `OperationTooLargeError`.
 */
export function analyseOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  purpose: CompiledPurpose,
  policyVersion: string,
): OperationAnalysis {
  const operation = findOperation(document, operationName);
  const fragments = fragmentsOf(document);
  const recorded = new Map<Coordinate, Recorded>();
  const constrainedArguments: ConstrainedArgument[] = [];
  const expanding = new Set<string>();
  let budget = MAX_FIELD_SELECTIONS;

  const walk = (
    selectionSet: SelectionSetNode,
    parentType: CompositeType,
    path: ResponsePath,
  ): void => {
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          const name = selection.name.value;
          if (name === TYPENAME || INTROSPECTION_FIELDS.has(name)) continue;
          budget -= 1;
          if (budget < 0) throw new OperationTooLargeError(MAX_FIELD_SELECTIONS);
          const coordinate = `${parentType.name}.${name}`;
          const fieldPath = [...path, selection.alias?.value ?? name];
          const field = parentType.getFields?.()[name];
          const entry: Recorded = recorded.get(coordinate) ?? {
            type: field?.type.toString(),
            paths: new Map(),
            nodes: [],
            enumerates:
              path.length === 0 && field !== undefined && enumeratesPersons(schema, field),
          };
          entry.paths.set(fieldPath.join('\u0000'), fieldPath);
          entry.nodes.push(selection);
          recorded.set(coordinate, entry);

          const constraints = purpose.selectable.get(coordinate)?.grant.args;
          if (constraints !== undefined && field !== undefined) {
            for (const [argument, constraint] of Object.entries(constraints)) {
              constrainedArguments.push({
                coordinate,
                argument,
                constraint,
                path: fieldPath,
                valueNode: selection.arguments?.find((node) => node.name.value === argument)?.value,
                schemaDefault: field.args.find((arg) => arg.name === argument)?.defaultValue,
              });
            }
          }
          const fieldType = field === undefined ? undefined : asComposite(namedTypeOf(field.type));
          if (selection.selectionSet !== undefined && fieldType !== undefined) {
            walk(selection.selectionSet, fieldType, fieldPath);
          }
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          const condition = selection.typeCondition?.name.value;
          const type =
            condition === undefined ? parentType : asComposite(schema.getType(condition));
          if (type !== undefined) walk(selection.selectionSet, type, path);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (fragment === undefined || expanding.has(name)) continue;
          const type = asComposite(schema.getType(fragment.typeCondition.name.value));
          if (type === undefined) continue;
          expanding.add(name);
          walk(fragment.selectionSet, type, path);
          expanding.delete(name);
          break;
        }
      }
    }
  };

  const rootType = asComposite(schema.getRootType(operation.operation));
  if (rootType !== undefined) walk(operation.selectionSet, rootType, []);

  const derived = derivedFieldsOf(purpose);
  const used: FieldUse[] = [];
  const denied: DeniedField[] = [];
  const deniedNodes = new Set<FieldNode>();
  let maxPersons: number | undefined;
  for (const [coordinate, entry] of recorded) {
    const use = { coordinate, type: entry.type, paths: [...entry.paths.values()] };
    used.push(use);
    const granted = purpose.selectable.get(coordinate);
    if (granted !== undefined && entry.enumerates) {
      const bound = granted.grant.enumeration?.maxPersons;
      if (bound !== undefined) {
        maxPersons = Math.min(maxPersons ?? bound, bound);
        continue;
      }
      denied.push({
        ...use,
        reason: 'ENUMERATION',
        grantedInstead: [],
        hint: `it could list persons without identifying them: look persons up by identifier, or have the purpose grant it with enumeration: { maxPersons: N }`,
      });
      for (const node of entry.nodes) deniedNodes.add(node);
      continue;
    }
    if (granted !== undefined) continue;
    const grantedInstead = derived.get(coordinate) ?? [];
    denied.push({
      ...use,
      reason: 'NOT_GRANTED',
      grantedInstead,
      ...(grantedInstead.length > 0
        ? { hint: `this purpose gets ${grantedInstead.join(' or ')} instead` }
        : {}),
    });
    for (const node of entry.nodes) deniedNodes.add(node);
  }

  const variableDefaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue !== undefined) {
      variableDefaults.set(definition.variable.name.value, definition.defaultValue);
    }
  }

  return {
    document,
    purposeId: purpose.id,
    policyVersion,
    operationName: operation.name?.value ?? null,
    used,
    denied,
    deniedNodes,
    constrainedArguments,
    variableDefaults,
    maxPersons,
  };
}

/**
 * Whether the operation selects nothing but `__typename` and introspection
 * (`__schema`, `__type`) at its root, fragments included: the schema is not
 * personal data, so the sandbox answers such operations without a purpose.
 */
export function selectsOnlySchema(
  document: DocumentNode,
  operationName: string | null | undefined,
): boolean {
  const operation = findOperation(document, operationName);
  const fragments = fragmentsOf(document);
  const expanding = new Set<string>();
  const onlySchema = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.every((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return (
            selection.name.value === TYPENAME || INTROSPECTION_FIELDS.has(selection.name.value)
          );
        case Kind.INLINE_FRAGMENT:
          return onlySchema(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (fragment === undefined || expanding.has(name)) return true;
          expanding.add(name);
          const result = onlySchema(fragment.selectionSet);
          expanding.delete(name);
          return result;
        }
        default:
          return false;
      }
    });
  return operation.operation === 'query' && onlySchema(operation.selectionSet);
}

// --- Argument values ---------------------------------------------------------

type Variables = Readonly<Record<string, unknown>> | undefined;

function resolveValue(
  argument: ConstrainedArgument,
  variables: Variables,
  variableDefaults: ReadonlyMap<string, ValueNode>,
): unknown {
  const node = argument.valueNode;
  if (node === undefined) return argument.schemaDefault;
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    if (variables !== undefined && Object.hasOwn(variables, name)) return variables[name];
    const fallback = variableDefaults.get(name);
    return fallback === undefined ? argument.schemaDefault : valueFromASTUntyped(fallback);
  }
  return valueFromASTUntyped(node, variables as { [name: string]: unknown } | undefined);
}

/** `today` split into the calendar numbers windows are counted in. */
type Today = { year: number; month: number; academicYearStart: number };

function todayParts(today: string): Today {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (match === null) throw new Error(`today must be written YYYY-MM-DD, not "${today}"`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  // Academic years run September to August, as the education data holder counts them.
  return { year, month, academicYearStart: month >= 9 ? year : year - 1 };
}

const UNIT_FORMATS: Readonly<Record<PeriodWindow['unit'], string>> = {
  month: 'a month written YYYY-MM',
  year: 'a year such as 2025',
  academicYear: 'an academic year written YYYY-YYYY',
};

/** The period's offset from the current one, in the window's unit; undefined when not a period of that unit. */
function offsetOf(unit: PeriodWindow['unit'], value: unknown, today: Today): number | undefined {
  switch (unit) {
    case 'month': {
      const match = typeof value === 'string' ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value) : null;
      if (match === null) return undefined;
      return (Number(match[1]) - today.year) * 12 + (Number(match[2]) - today.month);
    }
    case 'year': {
      const year =
        typeof value === 'number' && Number.isInteger(value)
          ? value
          : typeof value === 'string' && /^\d{4}$/.test(value)
            ? Number(value)
            : undefined;
      return year === undefined ? undefined : year - today.year;
    }
    case 'academicYear': {
      const match = typeof value === 'string' ? /^(\d{4})-(\d{4})$/.exec(value) : null;
      if (match === null || Number(match[2]) !== Number(match[1]) + 1) return undefined;
      return Number(match[1]) - today.academicYearStart;
    }
  }
}

/** The period `offset` periods from the current one, written as the argument writes it. */
function periodLabel(unit: PeriodWindow['unit'], offset: number, today: Today): string {
  switch (unit) {
    case 'month': {
      const index = today.year * 12 + (today.month - 1) + offset;
      return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
    }
    case 'year':
      return String(today.year + offset);
    case 'academicYear': {
      const start = today.academicYearStart + offset;
      return `${start}-${start + 1}`;
    }
  }
}

/** What a window allows, in absolute periods: `2026-11 only`, `2026-09 to 2026-11`. */
export function describeWindow(window: PeriodWindow, today: string): string {
  const parts = todayParts(today);
  const from = periodLabel(window.unit, window.from, parts);
  const to = periodLabel(window.unit, window.to, parts);
  return from === to ? `${from} only` : `${from} to ${to}`;
}

function describeConstraint(constraint: ArgumentConstraint, today: string): string {
  return constraint.kind === 'window'
    ? describeWindow(constraint.window, today)
    : `one of ${constraint.values.map((value) => JSON.stringify(value)).join(', ')}`;
}

/** The problem with one value, or undefined when the constraint allows it. */
function problemWith(
  constraint: ArgumentConstraint,
  value: unknown,
  today: Today,
): string | undefined {
  if (constraint.kind === 'oneOf') {
    return constraint.values.some((allowed) => allowed === value)
      ? undefined
      : `${JSON.stringify(value)} is not an allowed value`;
  }
  const { unit, from, to } = constraint.window;
  const offset = offsetOf(unit, value, today);
  if (offset === undefined) return `${JSON.stringify(value)} is not ${UNIT_FORMATS[unit]}`;
  if (offset < from) return `${JSON.stringify(value)} is before the allowed period`;
  if (offset > to) return `${JSON.stringify(value)} is after the allowed period`;
  return undefined;
}

/**
 * Checks the values an operation passes to the arguments its purpose
 * constrains, from literals, variables and defaults, against `today`
 * (`YYYY-MM-DD`, Europe/Paris). A constrained argument given no value is a
 * violation: the purpose allows only the periods or values it lists.
 */
export function checkArguments(
  analysis: OperationAnalysis,
  variables: Variables,
  today: string,
): ArgumentViolation[] {
  if (analysis.constrainedArguments.length === 0) return [];
  const parts = todayParts(today);
  const violations: ArgumentViolation[] = [];
  for (const argument of analysis.constrainedArguments) {
    const value = resolveValue(argument, variables, analysis.variableDefaults);
    const values = Array.isArray(value) ? value : [value];
    let problem: string | undefined;
    if (value === undefined || value === null || values.length === 0) {
      problem = 'no value was given';
    } else {
      for (const item of values) {
        problem = problemWith(argument.constraint, item, parts);
        if (problem !== undefined) break;
      }
    }
    if (problem === undefined) continue;
    violations.push({
      coordinate: argument.coordinate,
      argument: argument.argument,
      path: argument.path,
      problem,
      allowed: describeConstraint(argument.constraint, today),
      constraint: argument.constraint,
    });
  }
  return violations;
}

// --- The cached checker ------------------------------------------------------

/** A bounded map that forgets the least recently used entry first. */
class LruMap<Key, Value> {
  private readonly entries = new Map<Key, Value>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: Key): Value | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Re-insert: a Map iterates in insertion order, so the first key is the least recent.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: Key, value: Value): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

export type OperationToCheck = {
  document: DocumentNode;
  /** A hash of the document's text (Apollo Server's `queryHash`): the cache key, with the rest. */
  documentHash: string;
  operationName: string | null | undefined;
  purpose: CompiledPurpose;
  /** The version of the policy set `purpose` comes from. */
  policyVersion: string;
};

export type OperationChecker = {
  /** The document-level analysis, from the cache when this operation was seen for this purpose and policy version. */
  analyse(operation: OperationToCheck): OperationAnalysis;
  /** The analysis, plus this request's argument values checked against today. */
  check(
    operation: OperationToCheck & { variables?: Readonly<Record<string, unknown>> },
  ): OperationCheck;
  /** Analyses currently cached. */
  readonly cachedAnalyses: number;
};

export const DEFAULT_MAX_CACHED_ANALYSES = 1_000;

/**
 * The checker for one API schema. `clock.today()` gives today's date in
 * Europe/Paris (`YYYY-MM-DD`), the day argument windows are counted from.
 */
export function createOperationChecker(options: {
  schema: GraphQLSchema;
  clock: { today(): string };
  maxCachedAnalyses?: number;
}): OperationChecker {
  const { schema, clock } = options;
  const cache = new LruMap<string, OperationAnalysis>(
    options.maxCachedAnalyses ?? DEFAULT_MAX_CACHED_ANALYSES,
  );

  const analyse = (operation: OperationToCheck): OperationAnalysis => {
    const key = `${operation.policyVersion}\u0000${operation.purpose.id}\u0000${operation.operationName ?? ''}\u0000${operation.documentHash}`;
    let analysis = cache.get(key);
    if (analysis === undefined) {
      analysis = analyseOperation(
        schema,
        operation.document,
        operation.operationName,
        operation.purpose,
        operation.policyVersion,
      );
      cache.set(key, analysis);
    }
    return analysis;
  };

  return {
    analyse,
    check(operation) {
      const analysis = analyse(operation);
      const argumentViolations = checkArguments(analysis, operation.variables, clock.today());
      return {
        analysis,
        argumentViolations,
        allowed: analysis.denied.length === 0 && argumentViolations.length === 0,
      };
    },
    get cachedAnalyses() {
      return cache.size;
    },
  };
}
