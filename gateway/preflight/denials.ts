import type { ArgumentViolation, DeniedField } from '../../policies/engine/index.js';
import { PasserelleError, type PublicValue } from '../errors/index.js';

/** Who decided: every denial names the purpose and the policy version it was decided with. */
export type Decider = Readonly<{ purpose: string; policyVersion: string }>;

/** One entry of a denial's list, as the client receives it. */
type Entry = { readonly [key: string]: PublicValue };

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function hintsOf(denied: readonly DeniedField[]): string {
  const hints = denied.flatMap((field) =>
    field.hint === undefined ? [] : [`${field.coordinate}: ${field.hint}`],
  );
  return hints.length === 0 ? '' : ` (${hints.join('; ')})`;
}

/** One `extensions.denied` entry per place a denied field appears. */
export function deniedEntries(denied: readonly DeniedField[]): Entry[] {
  return denied.flatMap((field) =>
    field.paths.map((path) => ({
      coordinate: field.coordinate,
      path: [...path],
      reason: field.reason,
      ...(field.hint === undefined ? {} : { hint: field.hint }),
    })),
  );
}

function argumentEntry(violation: ArgumentViolation): Entry {
  const { constraint } = violation;
  return {
    coordinate: violation.coordinate,
    argument: violation.argument,
    path: [...violation.path],
    problem: violation.problem,
    allowed: violation.allowed,
    ...(constraint.kind === 'window'
      ? { window: { ...constraint.window } }
      : { values: [...constraint.values] }),
  };
}

/** Reject mode: the whole request refused, listing every denied field. */
export function fieldDeniedError(
  decider: Decider,
  denied: readonly DeniedField[],
): PasserelleError<'PURPOSE_FIELD_DENIED'> {
  return new PasserelleError(
    'PURPOSE_FIELD_DENIED',
    {
      purpose: decider.purpose,
      fields: listed(denied.map((field) => field.coordinate)),
      hints: hintsOf(denied),
      them: denied.length === 1 ? 'it' : 'them',
    },
    { publicExtensions: { ...decider, denied: deniedEntries(denied) } },
  );
}

/** Filter mode: one denied field at one place in the response, which answers null there. */
export function fieldFilteredError(
  decider: Decider,
  field: DeniedField,
  path: readonly (string | number)[],
): PasserelleError<'PURPOSE_FIELD_DENIED'> {
  return new PasserelleError(
    'PURPOSE_FIELD_DENIED',
    { purpose: decider.purpose, fields: field.coordinate, hints: hintsOf([field]), them: 'it' },
    {
      scope: 'field',
      path,
      publicExtensions: {
        ...decider,
        coordinate: field.coordinate,
        reason: field.reason,
        ...(field.hint === undefined ? {} : { hint: field.hint }),
      },
    },
  );
}

/** Arguments outside what the purpose allows: the request is refused in reject and filter modes. */
export function argumentDeniedError(
  decider: Decider,
  violations: readonly ArgumentViolation[],
): PasserelleError<'PURPOSE_ARGUMENT_DENIED'> {
  return new PasserelleError(
    'PURPOSE_ARGUMENT_DENIED',
    {
      purpose: decider.purpose,
      arguments: violations
        .map(
          (violation) =>
            `${violation.coordinate}(${violation.argument}:) ${violation.problem} (allowed: ${violation.allowed})`,
        )
        .join('; '),
    },
    { publicExtensions: { ...decider, arguments: violations.map(argumentEntry) } },
  );
}

/** What dry-run mode reports: what reject mode would have refused. */
export function dryRunEntries(
  denied: readonly DeniedField[],
  violations: readonly ArgumentViolation[],
): Entry[] {
  return [
    ...deniedEntries(denied).map((entry) => ({ code: 'PURPOSE_FIELD_DENIED', ...entry })),
    ...violations.map((violation) => ({
      code: 'PURPOSE_ARGUMENT_DENIED',
      ...argumentEntry(violation),
    })),
  ];
}
