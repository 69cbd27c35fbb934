/**
 * The sandbox: a deterministic generator of fictitious people and of what each
 * data holder knows about them, written as one SQLite store per holder.
 *
 * The same seed, number of persons and as-of date always give byte-identical
 * files, and every date is relative to the as-of date, so tests pin both and
 * are stable on any day. Beside the generated population, every dataset holds
 * the named people of the scenarios (`NAMED_PEOPLE`), with fixed ids and
 * identifiers.
 */
export type { IsoDate } from './calendar.js';
export { sandboxGenerateCommand } from './command.js';
export {
  DEFAULT_PERSONS,
  DEFAULT_SEED,
  type EnsureResult,
  ensureSandboxData,
  generateSandboxData,
  MAX_PERSONS,
  type ResolvedSandboxOptions,
  resolveSandboxOptions,
  type SandboxOptions,
} from './generate.js';
export {
  GENERATOR_VERSION,
  readSandboxManifest,
  type SandboxManifest,
} from './manifest.js';
export {
  NAMED_PEOPLE,
  NAMED_TAX_HOUSEHOLDS,
  type NamedBirth,
  type NamedPerson,
  type NamedPersonKey,
  namedPeople,
  type ResolvedNamedPerson,
} from './namedPeople.js';
export { SINGLE_PARENT_QUOTIENT } from './namedRecords.js';
