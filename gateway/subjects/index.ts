/**
 * Subjects: the persons whose data leaves in a response (DECISIONS.md
 * section 3). The tally of one request, collected from the data holders'
 * reports; subject references (HMAC-SHA-256 of the person id, with a key
 * generated at first start), the only form in which a subject may appear
 * in a log or a store; and the per-request and daily limits of a purpose.
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
export {
  createSubjectReferencer,
  ensureSubjectReferenceKey,
  type SubjectReferencer,
  subjectReferenceKeyFile,
} from './subjectReference.js';
export { SubjectTally } from './subjectTally.js';
