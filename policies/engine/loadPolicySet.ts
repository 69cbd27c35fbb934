import { basename } from 'node:path';
import { compilePurpose } from './compilePurpose.js';
import { checkAcrossFiles, type ParsedPolicy } from './crossChecks.js';
import type { CompiledPurpose, PolicyProblem, PolicySet, Purpose, Reuser } from './model.js';
import { type PolicyFile, readPolicyFiles } from './policyFiles.js';
import { deepFreeze, toPurpose, toReuser } from './policyModel.js';
import type { PolicyScope } from './policyScope.js';
import { policyVersion } from './policyVersion.js';
import { purposeFileSchema } from './purposeFileSchema.js';
import { reuserFileSchema } from './reuserFileSchema.js';
import { indexSchema } from './schemaIndex.js';
import { problemsFromIssues } from './schemaIssues.js';
import { parseYamlSource } from './yamlSource.js';

export type LoadResult =
  | { ok: true; policySet: PolicySet; warnings: PolicyProblem[] }
  /** `problems` holds every error, and the warnings too so the author sees everything at once. */
  | { ok: false; problems: PolicyProblem[] };

export type LoadOptions = { dir: string; schemaSdl: string; scope: PolicyScope };

/** The comment that gives editors completion and checking from the JSON Schemas. */
const SCHEMA_COMMENT = '# yaml-language-server: $schema=';

/**
 * Reads, validates and compiles the policy files under `dir`
 * (`purposes/*.yaml`, `reusers/*.yaml`). Never throws for a problem in the
 * files: every problem is returned, located. Throws `PolicySchemaError` when
 * `schemaSdl` itself is unusable (a fault of the caller).
 */
export function loadPolicySet({ dir, schemaSdl, scope }: LoadOptions): LoadResult {
  const schema = indexSchema(schemaSdl, scope);
  const { files, problems } = readPolicyFiles(dir);

  const purposes: ParsedPolicy<Purpose>[] = [];
  const reusers: ParsedPolicy<Reuser>[] = [];
  const invalidPurposeIds = new Set<string>();
  for (const file of files) {
    const parsed = parsePolicyFile(file, problems);
    if (parsed?.kind === 'purpose') purposes.push(parsed.policy);
    if (parsed?.kind === 'reuser') reusers.push(parsed.policy);
    if (parsed === undefined && file.folder === 'purposes') {
      invalidPurposeIds.add(basename(file.relativePath, '.yaml'));
    }
  }
  problems.push(...checkAcrossFiles(purposes, reusers, invalidPurposeIds));

  const compiled = new Map<string, CompiledPurpose>();
  for (const { source, value } of purposes) {
    if (compiled.has(value.id)) continue;
    const result = compilePurpose(value, schema, scope, source.locate);
    problems.push(...result.problems);
    compiled.set(value.id, deepFreeze(result.compiled));
  }

  const sorted = sortProblems(problems);
  if (sorted.some((problem) => problem.severity !== 'warning'))
    return { ok: false, problems: sorted };
  const policySet: PolicySet = Object.freeze({
    version: policyVersion(files),
    purposes: compiled,
    reusers: new Map(reusers.map(({ value }) => [value.id, value])),
  });
  return { ok: true, policySet, warnings: sorted };
}

type ParsedFile =
  | { kind: 'purpose'; policy: ParsedPolicy<Purpose> }
  | { kind: 'reuser'; policy: ParsedPolicy<Reuser> };

function parsePolicyFile(file: PolicyFile, problems: PolicyProblem[]): ParsedFile | undefined {
  const text = file.bytes.toString('utf8');
  const source = parseYamlSource(file.path, text);
  if (source.syntaxProblems.length > 0) {
    problems.push(...source.syntaxProblems);
    return undefined;
  }
  const schemaFile = file.folder === 'purposes' ? 'purpose' : 'reuser';
  if (!text.replace(/^\uFEFF/, '').startsWith(SCHEMA_COMMENT)) {
    problems.push({
      file: file.path,
      line: 1,
      column: 1,
      path: '',
      message: `start the file with "${SCHEMA_COMMENT}../schema/${schemaFile}.schema.json" so that editors complete and check it`,
      severity: 'warning',
    });
  }
  if (file.folder === 'purposes') {
    const result = purposeFileSchema.safeParse(source.data);
    if (!result.success) {
      problems.push(...problemsFromIssues(source, purposeFileSchema, result.error.issues));
      return undefined;
    }
    return { kind: 'purpose', policy: { source, value: toPurpose(result.data, file.path) } };
  }
  const result = reuserFileSchema.safeParse(source.data);
  if (!result.success) {
    problems.push(...problemsFromIssues(source, reuserFileSchema, result.error.issues));
    return undefined;
  }
  return { kind: 'reuser', policy: { source, value: toReuser(result.data, file.path) } };
}

function sortProblems(problems: readonly PolicyProblem[]): PolicyProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
