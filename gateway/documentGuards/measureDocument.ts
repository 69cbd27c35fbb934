import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The size of a parsed document as execution would see it, fragments
 * inlined, computed without inlining them: each fragment is measured once
 * and its measure reused at every spread, so a document whose inlined form
 * is exponentially large (fragments spreading the next one twice, a hundred
 * times over) is measured in time linear in its text, and the counts it
 * reports are its true, inlined ones. Selection sets are walked with an
 * explicit stack and fragments resolved in dependency order, so no nesting
 * can overflow the call stack; a cycle of fragments is found, not followed.
 */
export type DocumentMeasure =
  | Readonly<{ kind: 'cycle'; cycle: readonly string[] }>
  | Readonly<{
      kind: 'measured';
      /** The deepest data path, and the root field (response key) it starts at. */
      depth: number;
      deepestRootField: string | undefined;
      /** Real introspection only: `__schema` / `__type` fields at an operation's root. */
      introspection: Readonly<{ depth: number; listNesting: number }>;
      /** Summed over the document's operations. */
      aliases: number;
      directives: number;
      /** The most distinct root response keys of one operation (`__typename` excepted). */
      rootFields: number;
    }>;

const TYPENAME = '__typename';
const INTROSPECTION_ROOT_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);
/** Introspection fields answering lists: nesting them multiplies the answer by the schema size. */
const INTROSPECTION_LIST_FIELDS: ReadonlySet<string> = new Set([
  'types',
  'fields',
  'args',
  'inputFields',
  'interfaces',
  'possibleTypes',
  'enumValues',
  'directives',
]);

/** A selection set's measure, fragments inlined. Depths count from the set (its fields are at 1). */
type Summary = { depth: number; listNesting: number; aliases: number; directives: number };

/** A fragment spread inside a selection set, where it sits. */
type Spread = { name: string; level: number; listNesting: number };

type LocalSummary = Summary & { spreads: Spread[] };

/** One selection set without entering fragments: what it holds, and where it spreads which fragment. */
function walkLocally(root: SelectionSetNode): LocalSummary {
  const summary: LocalSummary = {
    depth: 0,
    listNesting: 0,
    aliases: 0,
    directives: 0,
    spreads: [],
  };
  const pending = [{ set: root, level: 0, listNesting: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    for (const selection of item.set.selections) {
      summary.directives += selection.directives?.length ?? 0;
      switch (selection.kind) {
        case Kind.FIELD: {
          if (selection.alias !== undefined) summary.aliases += 1;
          const name = selection.name.value;
          const listNesting = item.listNesting + (INTROSPECTION_LIST_FIELDS.has(name) ? 1 : 0);
          // `__typename` is always allowed: it is no level of data.
          if (name !== TYPENAME) summary.depth = Math.max(summary.depth, item.level + 1);
          summary.listNesting = Math.max(summary.listNesting, listNesting);
          if (selection.selectionSet !== undefined) {
            pending.push({ set: selection.selectionSet, level: item.level + 1, listNesting });
          }
          break;
        }
        case Kind.INLINE_FRAGMENT:
          pending.push({
            set: selection.selectionSet,
            level: item.level,
            listNesting: item.listNesting,
          });
          break;
        case Kind.FRAGMENT_SPREAD:
          summary.spreads.push({
            name: selection.name.value,
            level: item.level,
            listNesting: item.listNesting,
          });
          break;
      }
    }
  }
  return summary;
}

/** A local summary with its spreads replaced by the (already known) measures of their fragments. */
function inline(local: LocalSummary, fragments: ReadonlyMap<string, Summary>): Summary {
  const summary: Summary = {
    depth: local.depth,
    listNesting: local.listNesting,
    aliases: local.aliases,
    directives: local.directives,
  };
  for (const spread of local.spreads) {
    // An unknown fragment adds nothing here; validation reports it.
    const fragment = fragments.get(spread.name);
    if (fragment === undefined) continue;
    summary.depth = Math.max(summary.depth, spread.level + fragment.depth);
    summary.listNesting = Math.max(summary.listNesting, spread.listNesting + fragment.listNesting);
    summary.aliases += fragment.aliases;
    summary.directives += fragment.directives;
  }
  return summary;
}

/**
 * Every fragment's inlined measure, in dependency order (an iterative
 * depth-first search), or the first cycle found.
 */
function measureFragments(
  definitions: ReadonlyMap<string, FragmentDefinitionNode>,
): Map<string, Summary> | { cycle: string[] } {
  const locals = new Map<string, LocalSummary>();
  for (const [name, definition] of definitions) {
    const local = walkLocally(definition.selectionSet);
    local.directives += definition.directives?.length ?? 0;
    locals.set(name, local);
  }
  const measured = new Map<string, Summary>();
  const onPath = new Set<string>();
  for (const start of locals.keys()) {
    if (measured.has(start)) continue;
    const path = [{ name: start, next: 0 }];
    onPath.add(start);
    while (path.length > 0) {
      const top = path[path.length - 1];
      const local = top === undefined ? undefined : locals.get(top.name);
      if (top === undefined || local === undefined) break;
      const spread = local.spreads[top.next];
      if (spread !== undefined) {
        top.next += 1;
        if (!locals.has(spread.name) || measured.has(spread.name)) continue;
        if (onPath.has(spread.name)) {
          const from = path.findIndex((step) => step.name === spread.name);
          return { cycle: [...path.slice(from).map((step) => step.name), spread.name] };
        }
        onPath.add(spread.name);
        path.push({ name: spread.name, next: 0 });
        continue;
      }
      measured.set(top.name, inline(local, measured));
      onPath.delete(top.name);
      path.pop();
    }
  }
  return measured;
}

/** An operation's root fields, through fragments and inline fragments, each fragment entered once. */
function rootFieldsOf(
  operation: OperationDefinitionNode,
  definitions: ReadonlyMap<string, FragmentDefinitionNode>,
): FieldNode[] {
  const fields: FieldNode[] = [];
  const entered = new Set<string>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  for (let set = pending.pop(); set !== undefined; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) pending.push(selection.selectionSet);
      else {
        const fragment = definitions.get(selection.name.value);
        if (fragment === undefined || entered.has(selection.name.value)) continue;
        entered.add(selection.name.value);
        pending.push(fragment.selectionSet);
      }
    }
  }
  return fields;
}

export function measureDocument(document: DocumentNode): DocumentMeasure {
  const definitions = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
    else if (
      definition.kind === Kind.FRAGMENT_DEFINITION &&
      !definitions.has(definition.name.value)
    ) {
      definitions.set(definition.name.value, definition);
    }
  }
  const fragments = measureFragments(definitions);
  if (!(fragments instanceof Map)) return { kind: 'cycle', cycle: fragments.cycle };

  let depth = 0;
  let deepestRootField: string | undefined;
  const introspection = { depth: 0, listNesting: 0 };
  let aliases = 0;
  let directives = 0;
  let rootFields = 0;
  for (const operation of operations) {
    const whole = inline(walkLocally(operation.selectionSet), fragments);
    aliases += whole.aliases;
    directives +=
      whole.directives +
      (operation.directives?.length ?? 0) +
      (operation.variableDefinitions ?? []).reduce(
        (count, variable) => count + (variable.directives?.length ?? 0),
        0,
      );

    const responseKeys = new Set<string>();
    for (const field of rootFieldsOf(operation, definitions)) {
      const name = field.name.value;
      if (name === TYPENAME) continue;
      const responseKey = field.alias?.value ?? name;
      responseKeys.add(responseKey);
      const below =
        field.selectionSet === undefined
          ? { depth: 0, listNesting: 0 }
          : inline(walkLocally(field.selectionSet), fragments);
      // Only the real introspection fields, by field name at the query root:
      // an alias or a fragment merely named `__schema` is data like any other.
      if (operation.operation === 'query' && INTROSPECTION_ROOT_FIELDS.has(name)) {
        introspection.depth = Math.max(introspection.depth, 1 + below.depth);
        introspection.listNesting = Math.max(introspection.listNesting, below.listNesting);
      } else if (1 + below.depth > depth) {
        depth = 1 + below.depth;
        deepestRootField = responseKey;
      }
    }
    rootFields = Math.max(rootFields, responseKeys.size);
  }
  return {
    kind: 'measured',
    depth,
    deepestRootField,
    introspection,
    aliases,
    directives,
    rootFields,
  };
}
