import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { PolicyProblem } from './model.js';

export type YamlPath = readonly (string | number)[];

/** Which end of a `key: value` pair a problem points at. */
export type PathPart = 'key' | 'value';

/**
 * One policy file parsed, kept with its syntax tree so that any later check
 * (schema, cross-file, compilation) can point at a line and column.
 */
export type YamlSource = {
  file: string;
  /** The plain data, or undefined when the file has syntax errors. */
  data: unknown;
  syntaxProblems: PolicyProblem[];
  /** 1-based line and column of the node at `path`, or of its nearest existing ancestor. */
  locate(path: YamlPath, part?: PathPart): { line?: number; column?: number };
};

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxProblems = document.errors.map((error): PolicyProblem => {
    const position = lineCounter.linePos(error.pos[0]);
    return {
      file,
      line: position.line,
      column: position.col,
      path: '',
      message: `YAML syntax error: ${firstLine(error.message)}`,
    };
  });
  const locate = (path: YamlPath, part: PathPart = 'value') => {
    const offset = offsetOf(document, path, part);
    if (offset === undefined) return {};
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  return {
    file,
    data: syntaxProblems.length === 0 ? document.toJS() : undefined,
    syntaxProblems,
    locate,
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * Walks the tree by hand rather than with `document.getIn`, to know the key
 * node of the last pair too: problems about a map entry (unknown key,
 * unknown coordinate) point at the key, problems about a value at the value.
 */
function offsetOf(document: Document, path: YamlPath, part: PathPart): number | undefined {
  let node: unknown = document.contents;
  let keyNode: Node | undefined;
  let deepest: number | undefined = startOf(node);
  for (const segment of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) return deepest;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      if (node === undefined) return deepest;
    } else {
      return deepest;
    }
    deepest = startOf(node) ?? startOf(keyNode) ?? deepest;
  }
  if (part === 'key' && keyNode !== undefined) return startOf(keyNode);
  return startOf(node) ?? startOf(keyNode) ?? deepest;
}

function startOf(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  return range?.[0];
}
