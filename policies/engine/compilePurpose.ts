import { isDataHolderId } from './dataHolders.js';
import type {
  CompiledPurpose,
  Coordinate,
  DataHolderId,
  Grant,
  PolicyProblem,
  Purpose,
  SelectableField,
} from './model.js';
import type { PolicyScope } from './policyScope.js';
import type { SchemaField, SchemaIndex } from './schemaIndex.js';
import { didYouMean } from './suggest.js';
import type { PathPart, YamlPath } from './yamlSource.js';

/** Places a problem in the purpose's file. */
export type Locate = (path: YamlPath, part?: PathPart) => { line?: number; column?: number };

/** Never grantable whatever the schema says: the internal join key (DECISIONS.md §2). */
const JOIN_KEYS: ReadonlySet<Coordinate> = new Set(['Person.id']);

/**
 * Checks a purpose's grants against the schema and computes what the re-user
 * may select. Problems carry `severity: 'warning'` when they do not make the
 * purpose unsafe; any error means the purpose must not be served.
 *
 * In holder scope a grant naming a coordinate this holder's SDL lacks is
 * skipped without a word: it belongs to another holder, whose own
 * compilation (and the supergraph one) checks it.
 */
export function compilePurpose(
  purpose: Purpose,
  schema: SchemaIndex,
  scope: PolicyScope,
  locate: Locate,
): { compiled: CompiledPurpose; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const report = (
    path: YamlPath,
    part: PathPart,
    message: string,
    extra: { suggestion?: string | undefined; severity?: 'warning' } = {},
  ) => {
    problems.push({
      file: purpose.source.file,
      ...locate(path, part),
      path: path.join('.'),
      message,
      ...(extra.suggestion === undefined ? {} : { suggestion: extra.suggestion }),
      ...(extra.severity === undefined ? {} : { severity: extra.severity }),
    });
  };

  const selectable = new Map<Coordinate, SelectableField>();
  // A holder the purpose does not declare serves it nothing: deny by default.
  const servesThisHolder = scope.kind === 'supergraph' || purpose.holders.includes(scope.holder);

  for (const [coordinate, grant] of purpose.grants) {
    const at: YamlPath = ['grants', coordinate];
    const field = schema.field(coordinate);
    if (field === undefined) {
      if (scope.kind === 'holder') continue;
      report(at, 'key', `unknown field ${coordinate}: the schema has no such field`, {
        suggestion: suggestCoordinate(coordinate, schema),
      });
      continue;
    }
    if (JOIN_KEYS.has(coordinate)) {
      report(
        at,
        'key',
        `${coordinate} is the internal join key between data holders: it is never granted (re-users address persons by pivot identity or sector identifier)`,
      );
      continue;
    }
    if (field.inaccessible) {
      report(at, 'key', `${coordinate} is @inaccessible in the schema: it is never granted`);
      continue;
    }
    if (field.reduces !== undefined) {
      const source = `${field.typeName}.${field.reduces.field}`;
      report(
        at,
        'key',
        `${coordinate} is derived from ${source}: grant ${source} with transform: ${field.reduces.transform} (its parameters live in the grant)`,
      );
      continue;
    }

    const targets = grant.transform === undefined ? [field] : derivedTargets(field, grant, schema);
    if (targets.length === 0) {
      const supported = schema
        .derivedFrom(coordinate)
        .map((derived) => `${derived.reduces?.transform} (${derived.coordinate})`);
      report(
        [...at, 'transform'],
        'value',
        `${coordinate} has no derived field for transform ${grant.transform?.kind}: ${
          supported.length > 0
            ? `it supports ${supported.join(', ')}`
            : `it supports no transform (no field of ${field.typeName} declares @reduces(field: "${field.fieldName}", transform: ...))`
        }`,
      );
      continue;
    }

    for (const target of targets) {
      const holder = holderOf(target, field, purpose, scope, (message) =>
        report(at, 'key', message),
      );
      checkSensitive(target, field, purpose, (message) => report(at, 'key', message));
      checkWindow(target, grant, (path, message, severity) =>
        report([...at, ...path], path.length === 0 ? 'key' : 'value', message, { severity }),
      );
      checkArguments(target, grant, schema, (path, part, message, suggestion) =>
        report([...at, ...path], part, message, { suggestion }),
      );
      if (holder === undefined || !servesThisHolder) continue;
      selectable.set(target.coordinate, selectableField(target, field, holder, grant));
    }
  }

  if (scope.kind === 'supergraph') warnAboutUnusedDeclarations(purpose, selectable, report);
  return { compiled: { ...purpose, selectable }, problems };
}

function derivedTargets(field: SchemaField, grant: Grant, schema: SchemaIndex): SchemaField[] {
  const kind = grant.transform?.kind;
  return schema
    .derivedFrom(field.coordinate)
    .filter((derived) => derived.reduces?.transform === kind && !derived.inaccessible);
}

function selectableField(
  target: SchemaField,
  source: SchemaField,
  holder: DataHolderId,
  grant: Grant,
): SelectableField {
  const sensitiveCategory = target.sensitive ?? source.sensitive;
  return Object.freeze({
    coordinate: target.coordinate,
    holder,
    grant,
    ...(target.reduces === undefined || grant.transform === undefined
      ? {}
      : { transform: grant.transform }),
    ...(sensitiveCategory === undefined ? {} : { sensitiveCategory }),
    ...(target.window === undefined ? {} : { periodField: target.window.by }),
  });
}

/**
 * The holder serving the field for this purpose: the first subgraph able to
 * resolve it that the purpose declares. Entity fields may be resolvable by
 * several subgraphs; one declared is enough.
 */
function holderOf(
  target: SchemaField,
  source: SchemaField,
  purpose: Purpose,
  scope: PolicyScope,
  report: (message: string) => void,
): DataHolderId | undefined {
  if (scope.kind === 'holder') return scope.holder;
  const unknown = target.servedBy.filter((graph) => !isDataHolderId(graph));
  if (unknown.length > 0 || target.servedBy.length === 0) {
    report(
      `${target.coordinate} is served by ${unknown.length > 0 ? `subgraph ${unknown.join(', ')}, which is not a data holder` : 'no subgraph'}`,
    );
    return undefined;
  }
  const holder = target.servedBy.find(
    (graph): graph is DataHolderId => isDataHolderId(graph) && purpose.holders.includes(graph),
  );
  if (holder === undefined) {
    const what =
      target === source ? target.coordinate : `${source.coordinate} (as ${target.coordinate})`;
    report(
      `${what} is served by ${target.servedBy.join(' or ')}, which this purpose does not declare in holders (${purpose.holders.join(', ')})`,
    );
  }
  return holder;
}

function checkSensitive(
  target: SchemaField,
  source: SchemaField,
  purpose: Purpose,
  report: (message: string) => void,
): void {
  const category = target.sensitive ?? source.sensitive;
  if (category === undefined || purpose.sensitiveDataException !== undefined) return;
  report(
    `${target.coordinate} is sensitive data (${category}): a purpose grants it only when sensitiveDataException cites the legal exception that allows it (DOMAIN.md M5)`,
  );
}

function checkWindow(
  target: SchemaField,
  grant: Grant,
  report: (path: YamlPath, message: string, severity?: 'warning') => void,
): void {
  if (grant.window === undefined) {
    if (target.window !== undefined) {
      report(
        [],
        `${target.coordinate} is a dated list granted without a window: the re-user gets its whole history; limit it with window: { unit: ${target.window.unit}, from: ..., to: ... } (DOMAIN.md M3)`,
        'warning',
      );
    }
    return;
  }
  if (target.window === undefined) {
    report(
      ['window'],
      `${target.coordinate} has no @window in the schema: a window limits only dated list fields declared with @window(by:, unit:)`,
    );
    return;
  }
  if (grant.window.unit !== target.window.unit) {
    report(
      ['window', 'unit'],
      `${target.coordinate} is dated by ${target.window.unit} (its items' ${target.window.by}): write the window in unit: ${target.window.unit}`,
    );
  }
}

const SCALAR_CHECKS: Record<string, (value: unknown) => boolean> = {
  Int: (value) => Number.isInteger(value),
  Float: (value) => typeof value === 'number',
  String: (value) => typeof value === 'string',
  Boolean: (value) => typeof value === 'boolean',
  ID: (value) => typeof value === 'string' || Number.isInteger(value),
};

function checkArguments(
  target: SchemaField,
  grant: Grant,
  schema: SchemaIndex,
  report: (path: YamlPath, part: PathPart, message: string, suggestion?: string) => void,
): void {
  for (const [name, constraint] of Object.entries(grant.args ?? {})) {
    const argumentType = target.args.get(name);
    if (argumentType === undefined) {
      const known = [...target.args.keys()];
      report(
        ['args', name],
        'key',
        `${target.coordinate} has no argument "${name}" (${known.length > 0 ? `its arguments: ${known.join(', ')}` : 'it takes no argument'})`,
        didYouMean(name, known),
      );
      continue;
    }
    if (constraint.kind !== 'oneOf') continue;
    const enumValues = schema.enumValues(argumentType);
    const accepts =
      enumValues === undefined
        ? SCALAR_CHECKS[argumentType]
        : (value: unknown) => typeof value === 'string' && enumValues.has(value);
    if (accepts === undefined) continue;
    constraint.values.forEach((value, index) => {
      if (accepts(value)) return;
      report(
        ['args', name, 'oneOf', index],
        'value',
        `${JSON.stringify(value)} is not a valid ${argumentType} for argument ${name} of ${target.coordinate}${enumValues === undefined ? '' : ` (values: ${[...enumValues].join(', ')})`}`,
      );
    });
  }
}

function warnAboutUnusedDeclarations(
  purpose: Purpose,
  selectable: ReadonlyMap<Coordinate, SelectableField>,
  report: (path: YamlPath, part: PathPart, message: string, extra: { severity: 'warning' }) => void,
): void {
  const used = new Set([...selectable.values()].map((field) => field.holder));
  purpose.holders.forEach((holder, index) => {
    if (used.has(holder)) return;
    report(
      ['holders', index],
      'value',
      `holder ${holder} serves none of the granted fields: remove it`,
      {
        severity: 'warning',
      },
    );
  });
  const grantsSensitive = [...selectable.values()].some(
    (field) => field.sensitiveCategory !== undefined,
  );
  if (purpose.sensitiveDataException !== undefined && !grantsSensitive) {
    report(
      ['sensitiveDataException'],
      'key',
      'no sensitive field is granted: remove the sensitiveDataException',
      { severity: 'warning' },
    );
  }
}

/**
 * For an unknown coordinate: a field of the same type when the type exists
 * (the usual typo is in the field name), else the closest coordinate.
 */
function suggestCoordinate(coordinate: Coordinate, schema: SchemaIndex): string | undefined {
  const [typeName = ''] = coordinate.split('.');
  const grantable = [...schema.fields()].filter(
    (field) => !field.inaccessible && !JOIN_KEYS.has(field.coordinate),
  );
  const sameType = grantable.filter((field) => field.typeName === typeName);
  return (
    didYouMean(
      coordinate,
      sameType.map((field) => field.coordinate),
    ) ??
    didYouMean(
      coordinate,
      grantable.map((field) => field.coordinate),
    )
  );
}
