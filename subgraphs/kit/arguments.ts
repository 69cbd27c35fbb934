import { GraphQLError } from 'graphql';

/**
 * Checks of query arguments that GraphQL's type system cannot express. A bad
 * value is the client's mistake: it gets BAD_USER_INPUT and a message saying
 * what to send instead, never a store error.
 */
export function badArgument(argument: string, expected: string, example: string): GraphQLError {
  return new GraphQLError(`Argument "${argument}" must be ${expected}, for example "${example}".`, {
    extensions: { code: 'BAD_USER_INPUT', argument },
  });
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const ISO_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function requireDate(argument: string, value: string): string {
  const valid = ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
  // Date.parse rolls 2026-02-30 over to March: compare back to catch impossible days.
  if (!valid || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw badArgument(argument, 'a date written YYYY-MM-DD', '1986-04-12');
  }
  return value;
}

export function requireMonth(argument: string, value: string): string {
  if (!ISO_MONTH.test(value)) throw badArgument(argument, 'a month written YYYY-MM', '2026-10');
  return value;
}

export function requirePattern(
  argument: string,
  value: string,
  pattern: RegExp,
  expected: string,
  example: string,
): string {
  if (!pattern.test(value)) throw badArgument(argument, expected, example);
  return value;
}
