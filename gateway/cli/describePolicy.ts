import type {
  ArgumentConstraint,
  CompiledPurpose,
  PeriodWindow,
  Transform,
} from '../../policies/engine/index.js';

/** A period window in words, e.g. "the 3 months before the current one". */
export function describeWindow({ unit, from, to }: PeriodWindow): string {
  const noun = { month: 'month', year: 'year', academicYear: 'academic year' }[unit];
  const count = (n: number) => `${n} ${noun}${n > 1 ? 's' : ''}`;
  if (from === to) {
    if (from === 0) return `current ${noun} only`;
    if (from === -1) return `previous ${noun} only`;
    return from < 0
      ? `only the ${noun} ${count(-from)} before the current one`
      : `only the ${noun} ${count(from)} after the current one`;
  }
  if (to === 0 && from < 0) return `the current ${noun} and the ${count(-from)} before`;
  if (to === -1 && from < 0) return `the ${count(-from)} before the current one`;
  return `${noun}s ${from} to ${to}, relative to the current one`;
}

export function describeTransform(transform: Transform): string {
  switch (transform.kind) {
    case 'year':
      return 'reduced to the year';
    case 'ageBand':
      return `reduced to an age band (bounds ${transform.bounds.join(', ')})`;
    case 'bracket':
      return `reduced to a bracket (bounds ${transform.bounds.join(', ')})`;
    case 'threshold':
      return `reduced to "at least ${transform.threshold}" (yes/no)`;
    case 'commune':
      return 'reduced to the commune';
  }
}

export function describeConstraint(name: string, constraint: ArgumentConstraint): string {
  return constraint.kind === 'window'
    ? `${name}: ${describeWindow(constraint.window)}`
    : `${name}: one of ${constraint.values.map((value) => JSON.stringify(value)).join(', ')}`;
}

/**
 * What a purpose gets, as an indented tree a data protection officer can
 * read: selectable fields grouped by type, each with its holder, transform,
 * window and argument constraints, then limits and commitments.
 */
export function explainPurpose(purpose: CompiledPurpose, reusers: readonly string[]): string {
  const lines = [
    `${purpose.id}: ${purpose.title}`,
    `  legal basis:   ${purpose.legalBasis}`,
    `  stage:         ${purpose.stage}, valid ${purpose.validFrom} to ${purpose.validUntil}, mode ${purpose.mode}`,
    `  data holders:  ${purpose.holders.join(', ')}`,
    `  re-users:      ${reusers.length === 0 ? 'none' : reusers.join(', ')}`,
    '  may select:',
  ];
  const byType = new Map<string, string[]>();
  const fields = [...purpose.selectable.values()].sort((a, b) =>
    a.coordinate.localeCompare(b.coordinate),
  );
  for (const field of fields) {
    const [type = '', name = ''] = field.coordinate.split('.');
    const details = [`[${field.holder}]`];
    if (field.transform !== undefined) {
      details.push(`${field.grant.coordinate.split('.')[1]} ${describeTransform(field.transform)}`);
    }
    if (field.grant.window !== undefined) details.push(describeWindow(field.grant.window));
    for (const [argument, constraint] of Object.entries(field.grant.args ?? {})) {
      details.push(describeConstraint(argument, constraint));
    }
    const entries = byType.get(type) ?? [];
    entries.push(`      ${name}  ${details.join('; ')}`);
    byType.set(type, entries);
  }
  for (const [type, entries] of byType) lines.push(`    ${type}`, ...entries);
  const { limits } = purpose;
  lines.push(
    `  limits:        ${limits.subjectsPerRequest} person(s) per request, ${limits.requestsPerMinute} requests per minute, ${limits.subjectsPerDay} distinct persons per day`,
    `  retention:     ${purpose.retention} (re-user's commitment)`,
    `  traceability:  ${purpose.traceability.requiredClaims.length === 0 ? 'no claim required' : `requires ${purpose.traceability.requiredClaims.join(', ')}`}`,
  );
  if (purpose.sensitiveDataException !== undefined) {
    lines.push(`  sensitive data: ${purpose.sensitiveDataException}`);
  }
  return lines.join('\n');
}
