import { z } from 'zod';
import { PARAMETERLESS_TRANSFORMS, PARAMETRIC_TRANSFORMS, TRANSFORM_KINDS } from './grantSchema.js';
import type { PolicyProblem } from './model.js';
import { didYouMean } from './suggest.js';
import type { YamlPath, YamlSource } from './yamlSource.js';

/**
 * Turns zod's issues for one file into located problems whose messages say
 * what to write instead. zod's own wording is kept where the schema gave it
 * (`error:` options in the schemas); the cases below are those where the
 * author needs more than zod knows: which keys exist, which transforms
 * exist, which key is missing.
 */
export function problemsFromIssues(
  source: YamlSource,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
): PolicyProblem[] {
  return issues.flatMap((issue) => problemsFromIssue(source, schema, issue, []));
}

function problemsFromIssue(
  source: YamlSource,
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
  prefix: YamlPath,
): PolicyProblem[] {
  const path: YamlPath = [...prefix, ...issue.path.map(toSegment)];
  const at = (where: YamlPath, part: 'key' | 'value', message: string, suggestion?: string) => {
    const problem: PolicyProblem = {
      file: source.file,
      ...source.locate(where, part),
      path: where.join('.'),
      message,
    };
    return suggestion === undefined ? problem : { ...problem, suggestion };
  };
  const isTransform = path[path.length - 1] === 'transform';
  const missing =
    (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
    path.length > 0 &&
    valueAt(source.data, path) === undefined;
  if (missing) {
    return [
      at(path.slice(0, -1), 'key', `missing required key "${String(path[path.length - 1])}"`),
    ];
  }

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => {
        if (isTransform) {
          return at(
            [...path, key],
            'key',
            `unknown transform "${key}"; known transforms: ${TRANSFORM_KINDS.join(', ')}`,
            didYouMean(key, TRANSFORM_KINDS),
          );
        }
        const suggestion = didYouMean(key, known);
        const listed =
          suggestion === undefined && known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
        return at([...path, key], 'key', `unknown key "${key}"${listed}`, suggestion);
      });
    }
    case 'invalid_union':
      return problemsFromUnion(source, schema, issue, path, at);
    case 'invalid_value': {
      const input = valueAt(source.data, path);
      if (isTransform) return [transformNameProblem(input, path, at)];
      const expected = issue.values.map(String);
      return [
        at(
          path,
          'value',
          `${JSON.stringify(input)} is not one of: ${expected.join(', ')}`,
          typeof input === 'string' ? didYouMean(input, expected) : undefined,
        ),
      ];
    }
    case 'invalid_type': {
      if (isCustomMessage(issue.message)) return [at(path, 'value', issue.message)];
      const input = valueAt(source.data, path);
      return [
        at(path, 'value', `expected ${article(issue.expected)}, got ${describeValue(input)}`),
      ];
    }
    case 'invalid_key':
      return [at(path, 'key', firstMessage(issue.issues) ?? issue.message)];
    default:
      return [at(path, 'value', issue.message)];
  }
}

/**
 * The only unions of the file schemas accept values of different JSON
 * types (a transform is a name or an object). The branch that expected the
 * input's type is the one the author meant: report its issues alone.
 */
function problemsFromUnion(
  source: YamlSource,
  schema: z.ZodType,
  issue: z.core.$ZodIssue & { code: 'invalid_union' },
  path: YamlPath,
  at: (where: YamlPath, part: 'key' | 'value', message: string) => PolicyProblem,
): PolicyProblem[] {
  const meant = issue.errors.filter(
    (branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
  );
  const [only] = meant;
  if (meant.length === 1 && only !== undefined) {
    return only.flatMap((inner) => problemsFromIssue(source, schema, inner, path));
  }
  if (path[path.length - 1] === 'transform') {
    return [
      at(
        path,
        'value',
        `a transform is a name (${PARAMETERLESS_TRANSFORMS.join(', ')}) or an object with one key (${PARAMETRIC_TRANSFORMS.map((kind) => `{ ${kind}: ... }`).join(', ')}); got ${describeValue(valueAt(source.data, path))}`,
      ),
    ];
  }
  const expected = issue.errors.flatMap((branch) =>
    branch.flatMap((inner) =>
      inner.code === 'invalid_type' && inner.path.length === 0 ? [article(inner.expected)] : [],
    ),
  );
  return [
    at(
      path,
      'value',
      `expected ${[...new Set(expected)].join(' or ')}, got ${describeValue(valueAt(source.data, path))}`,
    ),
  ];
}

function transformNameProblem(
  input: unknown,
  path: YamlPath,
  at: (
    where: YamlPath,
    part: 'key' | 'value',
    message: string,
    suggestion?: string,
  ) => PolicyProblem,
): PolicyProblem {
  const name = String(input);
  if ((PARAMETRIC_TRANSFORMS as readonly string[]).includes(name)) {
    return at(
      path,
      'value',
      `transform ${name} takes a parameter: write transform: { ${name}: ... }`,
    );
  }
  return at(
    path,
    'value',
    `unknown transform "${name}"; known transforms: ${TRANSFORM_KINDS.join(', ')}`,
    didYouMean(name, TRANSFORM_KINDS),
  );
}

/** zod's generated messages start with "Invalid"; messages written in our schemas do not. */
function isCustomMessage(message: string): boolean {
  return !message.startsWith('Invalid');
}

function firstMessage(issues: readonly z.core.$ZodIssue[]): string | undefined {
  return issues[0]?.message;
}

function toSegment(key: PropertyKey): string | number {
  return typeof key === 'number' ? key : String(key);
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function article(expected: string): string {
  const names: Record<string, string> = {
    int: 'a whole number',
    array: 'a list',
    object: 'a map of keys',
    record: 'a map of keys',
  };
  return names[expected] ?? (/^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`);
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The keys the schema accepts at `path`, for "did you mean" on an unknown key. */
function knownKeysAt(schema: z.ZodType, path: YamlPath): string[] {
  let current: z.ZodType[] = [schema];
  for (const segment of path) {
    current = current.flatMap((node) => childrenOf(unwrap(node), segment));
  }
  return [
    ...new Set(
      current
        .map(unwrap)
        .flatMap((node) => (node instanceof z.ZodObject ? Object.keys(node.shape) : [])),
    ),
  ];
}

function unwrap(node: z.ZodType): z.ZodType {
  if (
    node instanceof z.ZodOptional ||
    node instanceof z.ZodDefault ||
    node instanceof z.ZodNullable
  ) {
    return unwrap(node.unwrap() as z.ZodType);
  }
  return node;
}

function childrenOf(node: z.ZodType, segment: string | number): z.ZodType[] {
  if (node instanceof z.ZodObject) {
    const child = (node.shape as Record<string, z.ZodType>)[String(segment)];
    return child === undefined ? [] : [child];
  }
  if (node instanceof z.ZodRecord) return [node.valueType as z.ZodType];
  if (node instanceof z.ZodArray) return [node.element as z.ZodType];
  if (node instanceof z.ZodUnion) {
    return (node.options as z.ZodType[]).flatMap((option) => childrenOf(unwrap(option), segment));
  }
  return [];
}
