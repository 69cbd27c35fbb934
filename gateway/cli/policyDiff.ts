import type {
  CompiledPurpose,
  PeriodWindow,
  PolicySet,
  SelectableField,
} from '../../policies/engine/index.js';
import { describeConstraint, describeTransform, describeWindow } from './describePolicy.js';

/** One change in what a purpose or a re-user gets. `widens`: more access than before. */
export type AccessChange = { subject: string; widens: boolean; text: string };

function windowWidens(before: PeriodWindow | undefined, after: PeriodWindow | undefined): boolean {
  if (after === undefined) return before !== undefined;
  if (before === undefined) return false;
  return after.unit !== before.unit || after.from < before.from || after.to > before.to;
}

function fieldChanges(
  purposeId: string,
  before: SelectableField,
  after: SelectableField,
): AccessChange[] {
  const subject = `${purposeId} ${after.coordinate}`;
  const changes: AccessChange[] = [];
  const beforeWindow = before.grant.window;
  const afterWindow = after.grant.window;
  if (JSON.stringify(beforeWindow) !== JSON.stringify(afterWindow)) {
    changes.push({
      subject,
      widens: windowWidens(beforeWindow, afterWindow),
      text: `window ${beforeWindow ? describeWindow(beforeWindow) : 'none'} -> ${afterWindow ? describeWindow(afterWindow) : 'whole history'}`,
    });
  }
  if (JSON.stringify(before.transform) !== JSON.stringify(after.transform)) {
    // Bounds or thresholds moved: precision may have grown; a reviewer must look.
    changes.push({
      subject,
      widens: true,
      text: `transform ${before.transform ? describeTransform(before.transform) : 'none'} -> ${after.transform ? describeTransform(after.transform) : 'none'}`,
    });
  }
  const beforeArgs = before.grant.args ?? {};
  const afterArgs = after.grant.args ?? {};
  for (const name of new Set([...Object.keys(beforeArgs), ...Object.keys(afterArgs)])) {
    const was = beforeArgs[name];
    const now = afterArgs[name];
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    changes.push({
      subject,
      widens: now === undefined || was === undefined ? now === undefined : true,
      text: `argument ${was ? describeConstraint(name, was) : `${name}: unconstrained`} -> ${now ? describeConstraint(name, now) : `${name}: unconstrained`}`,
    });
  }
  return changes;
}

function purposeChanges(before: CompiledPurpose, after: CompiledPurpose): AccessChange[] {
  const changes: AccessChange[] = [];
  for (const [coordinate, field] of after.selectable) {
    const previous = before.selectable.get(coordinate);
    if (previous === undefined) {
      changes.push({ subject: after.id, widens: true, text: `+ ${coordinate}` });
    } else {
      changes.push(...fieldChanges(after.id, previous, field));
    }
  }
  for (const coordinate of before.selectable.keys()) {
    if (!after.selectable.has(coordinate)) {
      changes.push({ subject: after.id, widens: false, text: `- ${coordinate}` });
    }
  }
  const limits = ['subjectsPerRequest', 'requestsPerMinute', 'subjectsPerDay'] as const;
  for (const limit of limits) {
    if (before.limits[limit] !== after.limits[limit]) {
      changes.push({
        subject: after.id,
        widens: after.limits[limit] > before.limits[limit],
        text: `limit ${limit} ${before.limits[limit]} -> ${after.limits[limit]}`,
      });
    }
  }
  if (before.validFrom !== after.validFrom || before.validUntil !== after.validUntil) {
    changes.push({
      subject: after.id,
      widens: after.validFrom < before.validFrom || after.validUntil > before.validUntil,
      text: `validity ${before.validFrom}..${before.validUntil} -> ${after.validFrom}..${after.validUntil}`,
    });
  }
  if (before.stage !== after.stage) {
    changes.push({
      subject: after.id,
      widens: after.stage === 'production',
      text: `stage ${before.stage} -> ${after.stage}`,
    });
  }
  if (before.mode !== after.mode) {
    changes.push({
      subject: after.id,
      widens: after.mode !== 'reject',
      text: `mode ${before.mode} -> ${after.mode}`,
    });
  }
  return changes;
}

/**
 * What access each purpose and re-user gains or loses from `before` to
 * `after`. Anything that could give more data than before is marked
 * `widens`, so that it stands out in review (DOMAIN.md G3).
 */
export function diffPolicySets(before: PolicySet, after: PolicySet): AccessChange[] {
  const changes: AccessChange[] = [];
  for (const [id, purpose] of after.purposes) {
    const previous = before.purposes.get(id);
    if (previous === undefined) {
      changes.push({
        subject: id,
        widens: true,
        text: `new purpose granting ${[...purpose.selectable.keys()].sort().join(', ')}`,
      });
    } else {
      changes.push(...purposeChanges(previous, purpose));
    }
  }
  for (const id of before.purposes.keys()) {
    if (!after.purposes.has(id))
      changes.push({ subject: id, widens: false, text: 'purpose removed' });
  }
  for (const [id, reuser] of after.reusers) {
    const previous = new Map(
      before.reusers.get(id)?.purposes.map((grant) => [grant.purpose, grant]) ?? [],
    );
    for (const grant of reuser.purposes) {
      const was = previous.get(grant.purpose);
      if (was === undefined) {
        changes.push({
          subject: `re-user ${id}`,
          widens: true,
          text: `+ purpose ${grant.purpose} (${grant.validFrom}..${grant.validUntil})`,
        });
      } else if (was.validFrom !== grant.validFrom || was.validUntil !== grant.validUntil) {
        changes.push({
          subject: `re-user ${id}`,
          widens: grant.validFrom < was.validFrom || grant.validUntil > was.validUntil,
          text: `purpose ${grant.purpose} validity ${was.validFrom}..${was.validUntil} -> ${grant.validFrom}..${grant.validUntil}`,
        });
      }
      previous.delete(grant.purpose);
    }
    for (const gone of previous.keys()) {
      changes.push({ subject: `re-user ${id}`, widens: false, text: `- purpose ${gone}` });
    }
  }
  for (const id of before.reusers.keys()) {
    if (!after.reusers.has(id))
      changes.push({ subject: `re-user ${id}`, widens: false, text: 're-user removed' });
  }
  return changes;
}
