import { endOfParisDay } from '../../policies/engine/index.js';
import type { SubjectReferencer } from '../accessLog/index.js';
import { PasserelleError } from '../errors/index.js';
import type { PurposeBinding } from '../purposeBinding/index.js';
import type { DailySubjectStore } from './dailySubjectStore.js';
import type { SubjectTally } from './subjectTally.js';

export type SubjectLimitRequest = Readonly<{
  binding: PurposeBinding;
  /**
   * The persons the response would carry, as the data holders reported
   * them, and the bound of any enumerating field the operation selects.
   */
  tally: SubjectTally;
  /** The request's day in Europe/Paris (`YYYY-MM-DD`), fixed when it arrived. */
  today: string;
}>;

export type SubjectLimits = {
  /**
   * The refusal of a response carrying too many persons (per request), or
   * new persons beyond the daily quota; undefined when it may leave, in
   * which case its new subjects are now counted for the day.
   */
  check(request: SubjectLimitRequest): Promise<PasserelleError | undefined>;
  close(): Promise<void>;
};

/**
 * The subject limits of a purpose (DOMAIN.md M4, DECISIONS.md section 3):
 * `subjectsPerRequest` distinct persons per response (tightened by the
 * bound of any enumerating field the request uses), and `subjectsPerDay`
 * distinct persons per re-user, purpose and calendar day in Europe/Paris.
 * A person read again the same day does not count again. The day's set is
 * kept as subject references in `store`.
 */
export function createSubjectLimits(options: {
  store: DailySubjectStore;
  referencer: SubjectReferencer;
  now?: () => Date;
}): SubjectLimits {
  const { store, referencer } = options;
  const now = options.now ?? (() => new Date());

  return {
    async check({ binding, tally, today }) {
      const { maxPersons } = tally;
      const { purpose, reuser } = binding;
      const perPurpose = purpose.limits.subjectsPerRequest;
      const bounded = maxPersons !== undefined && maxPersons < perPurpose;
      const limit = bounded ? maxPersons : perPurpose;
      if (tally.size > limit) {
        return new PasserelleError(
          'TOO_MANY_SUBJECTS',
          {
            actual: tally.size,
            limit,
            scope: bounded
              ? ` by the purpose "${purpose.id}" when listing persons (enumeration.maxPersons)`
              : ` for the purpose "${purpose.id}"`,
          },
          { publicExtensions: { purpose: purpose.id, limit, actual: tally.size } },
        );
      }
      if (tally.size === 0) return undefined;

      const quota = purpose.limits.subjectsPerDay;
      const decision = await store.admit(
        { reuser: reuser.id, purpose: purpose.id, day: today },
        tally.ids().map(referencer),
        quota,
      );
      if (decision.admitted) return undefined;
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((endOfParisDay(today).getTime() - now().getTime()) / 1000),
      );
      return new PasserelleError(
        'SUBJECT_QUOTA_EXCEEDED',
        {
          reuser: reuser.id,
          purpose: purpose.id,
          counted: decision.counted,
          added: decision.added,
          limit: quota,
          day: today,
          retryAfterSeconds,
        },
        {
          publicExtensions: {
            purpose: purpose.id,
            limit: quota,
            counted: decision.counted,
            added: decision.added,
            day: today,
            retryAfterSeconds,
          },
        },
      );
    },
    close: () => store.close(),
  };
}
