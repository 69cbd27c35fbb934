/**
 * Subjects: the persons whose data leaves in a response (DECISIONS.md
 * section 3). The tally of one request, collected from the data holders'
 * reports, and the per-request and daily limits of a purpose. Subjects are
 * stored only as references (`accessLog/`'s `createSubjectReferencer`).
 */
export {
  type DailySubjectStore,
  type DailySubjectStoreOptions,
  openDailySubjectStore,
  type QuotaDecision,
  type QuotaKey,
  SUBJECTS_SQLITE_FILE,
} from './dailySubjectStore.js';
export {
  createSubjectLimits,
  type SubjectLimitRequest,
  type SubjectLimits,
} from './subjectLimits.js';
export { SubjectTally } from './subjectTally.js';
