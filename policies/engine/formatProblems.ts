import { isAbsolute, relative } from 'node:path';
import type { PolicyProblem } from './model.js';

/**
 * One line per problem, in the `file:line:column` form editors and terminals
 * link to:
 * `policies/purposes/x.yaml:12:5 grants.FamilyQuotient.valeu: unknown field ... (did you mean FamilyQuotient.value?)`.
 * Absolute paths under the working directory are shown relative to it.
 */
export function formatProblems(problems: readonly PolicyProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

function formatProblem(problem: PolicyProblem): string {
  const place = [displayPath(problem.file), problem.line, problem.column]
    .filter((part) => part !== undefined)
    .join(':');
  const severity = problem.severity === 'warning' ? 'warning: ' : '';
  const path = problem.path === '' ? '' : `${problem.path}: `;
  const suggestion = problem.suggestion === undefined ? '' : ` (${problem.suggestion})`;
  return `${place} ${severity}${path}${problem.message}${suggestion}`;
}

function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const fromHere = relative(process.cwd(), file);
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? file : fromHere;
}
