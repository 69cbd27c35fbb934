import type { DeniedField } from '../../policies/engine/index.js';
import { type FilteredOperation, pathKey } from './filterOperation.js';

/** A position in the response: response keys and list indexes. */
type ConcretePath = (string | number)[];

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every concrete position of `path` in `data`: list items expanded, null parents skipped. */
function positionsOf(data: JsonObject, path: readonly string[]): ConcretePath[] {
  const found: ConcretePath[] = [];
  const walk = (value: unknown, depth: number, at: ConcretePath): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        walk(item, depth, [...at, index]);
      });
      return;
    }
    if (!isObject(value)) return;
    const key = path[depth];
    if (key === undefined) return;
    if (depth === path.length - 1) {
      found.push([...at, key]);
      return;
    }
    walk(value[key], depth + 1, [...at, key]);
  };
  walk(data, 0, []);
  return found;
}

/** Whether an output type written as SDL (`[Person!]!`) is non-null. */
const isNonNull = (type: string | undefined) => type?.endsWith('!') === true;

/** The item type of a list type written as SDL: `[Person!]!` -> `Person!`. */
function itemTypeOf(type: string | undefined): string | undefined {
  const list = type?.replace(/!$/, '');
  return list?.startsWith('[') && list.endsWith(']') ? list.slice(1, -1) : undefined;
}

/** The output type at a concrete position, from the operation's types by response path. */
function typeAtPosition(
  typeAt: ReadonlyMap<string, string>,
  position: ConcretePath,
  length: number,
): string | undefined {
  const keys: string[] = [];
  let type: string | undefined;
  for (const segment of position.slice(0, length)) {
    if (typeof segment === 'string') {
      keys.push(segment);
      type = typeAt.get(pathKey(keys));
    } else {
      type = itemTypeOf(type);
    }
  }
  return type;
}

/** Sets the value at `position[0..length)` to null; false when a parent is already null. */
function setNull(data: JsonObject, position: ConcretePath, length: number): boolean {
  let container: unknown = data;
  for (const segment of position.slice(0, length - 1)) {
    container = (container as Record<string | number, unknown>)[segment];
    if (container === null || typeof container !== 'object') return false;
  }
  const last = position[length - 1];
  if (last === undefined) return false;
  (container as Record<string | number, unknown>)[last] = null;
  return true;
}

function removeKey(value: unknown, key: string): void {
  if (Array.isArray(value)) {
    for (const item of value) removeKey(item, key);
  } else if (isObject(value)) {
    delete value[key];
    for (const child of Object.values(value)) removeKey(child, key);
  }
}

/**
 * Completes filter mode's response: each denied field answers null at each
 * place it appears, with one error there. As GraphQL does for any field
 * error, a null in a non-null position goes up to the nearest nullable
 * parent (the whole `data` when there is none), and the error keeps the
 * denied field's own path. A denied field under a parent that is already
 * null gets no error: it was never reached. The `__typename` placeholders
 * standing in for emptied selection sets are removed.
 *
 * The null is added after the fields the subgraphs returned, so a denied
 * field's key comes last in its object.
 */
export function completeFilteredResult(
  data: JsonObject | null | undefined,
  filter: FilteredOperation,
  onDenied: (field: DeniedField, position: ConcretePath) => void,
): JsonObject | null | undefined {
  if (data === null || data === undefined) return data;
  if (filter.placeholder !== undefined) removeKey(data, filter.placeholder);

  const nonNullDenied: ConcretePath[] = [];
  for (const field of filter.denied) {
    for (const path of field.paths) {
      const nonNull = isNonNull(filter.typeAt.get(pathKey(path)));
      for (const position of positionsOf(data, path)) {
        setNull(data, position, position.length);
        onDenied(field, position);
        if (nonNull) nonNullDenied.push(position);
      }
    }
  }

  // Then the nulls in non-null positions bubble up.
  for (const position of nonNullDenied) {
    let length = position.length - 1;
    while (length > 0) {
      const type = typeAtPosition(filter.typeAt, position, length);
      if (!isNonNull(type)) break;
      length -= 1;
    }
    if (length === 0) return null;
    setNull(data, position, length);
  }
  return data;
}
