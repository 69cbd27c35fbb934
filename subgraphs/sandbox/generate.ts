/**
 * Generation of a whole sandbox dataset: options, the streaming loop over the
 * population, and the swap of the finished folder into place.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { todayInParis } from '../../policies/engine/index.js';
import { DATA_HOLDERS, type DataHolderName, holderStorePath, holdersFolder } from '../kit/index.js';
import { type IsoDate, isIsoDate } from './calendar.js';
import { COMMUNES } from './communes.js';
import { INSTITUTIONS } from './institutions.js';
import {
  GENERATOR_VERSION,
  manifestPathIn,
  readSandboxManifest,
  type SandboxManifest,
  serialiseManifest,
  sha256OfFile,
  storePathIn,
} from './manifest.js';
import { NAMED_PERSON_IDS, NAMED_TAX_HOUSEHOLD_IDS } from './namedPeople.js';
import { namedRecords } from './namedRecords.js';
import { generatePopulation } from './population.js';
import { civilStatusRecords } from './records/civilStatus.js';
import { EducationDeriver } from './records/education.js';
import { EmploymentDeriver } from './records/employment.js';
import { FamilyBenefitsDeriver } from './records/familyBenefits.js';
import { TaxDeriver } from './records/tax.js';
import { timelineFor } from './timeline.js';
import { CivilStatusWriter } from './writers/civilStatus.js';
import { EducationWriter } from './writers/education.js';
import { EmploymentWriter } from './writers/employment.js';
import { FamilyBenefitsWriter } from './writers/familyBenefits.js';
import { TaxWriter } from './writers/tax.js';

export interface SandboxOptions {
  /** Folder receiving `holders/`; created if needed. */
  readonly dataDir: string;
  /** Seed of every random choice; an integer from 0 to 2^32 - 1. Default 42. */
  readonly seed?: number;
  /** Number of generated people, not counting the named people. Default 10,000. */
  readonly persons?: number;
  /** The dataset's "today" (YYYY-MM-DD); every date derives from it. Default: today in Europe/Paris. */
  readonly asOf?: IsoDate;
  /** Called after each batch of households with the number of generated people written so far. */
  readonly onProgress?: (written: number, total: number) => void;
}

export interface ResolvedSandboxOptions {
  readonly dataDir: string;
  readonly seed: number;
  readonly persons: number;
  readonly asOf: IsoDate;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_PERSONS = 10_000;
/** Far above the million the generator is measured with, below what would exhaust identifiers. */
export const MAX_PERSONS = 20_000_000;

/** Validates and defaults the options; throws a RangeError saying what to change. */
export function resolveSandboxOptions(options: SandboxOptions): ResolvedSandboxOptions {
  const seed = options.seed ?? DEFAULT_SEED;
  const persons = options.persons ?? DEFAULT_PERSONS;
  const asOf = options.asOf ?? todayInParis();
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to ${0xffffffff}, got ${seed}.`);
  }
  if (!Number.isInteger(persons) || persons < 0 || persons > MAX_PERSONS) {
    throw new RangeError(`persons must be an integer from 0 to ${MAX_PERSONS}, got ${persons}.`);
  }
  if (!isIsoDate(asOf))
    throw new RangeError(`asOf must be a calendar date as YYYY-MM-DD, got '${asOf}'.`);
  if (options.dataDir === '') throw new RangeError('dataDir must name a folder.');
  return { dataDir: options.dataDir, seed, persons, asOf };
}

// Households per transaction: bounds the memory of pending pages; also how often progress is reported.
const HOUSEHOLDS_PER_TRANSACTION = 20_000;

/**
 * SQLite page cache per store, in MiB. Rows are appended to staging tables and
 * copied in key order at the end (see store.ts), so a larger cache measured no faster.
 */
const CACHE_MIB = 64;

/**
 * Generates a dataset into `<dataDir>/holders/`, replacing any previous one.
 * Files are written into a temporary sibling folder that is renamed into place
 * at the end, so a crash never leaves a half-written dataset behind.
 */
export async function generateSandboxData(options: SandboxOptions): Promise<SandboxManifest> {
  const resolved = resolveSandboxOptions(options);
  mkdirSync(resolved.dataDir, { recursive: true });
  const workFolder = mkdtempSync(`${holdersFolder(resolved.dataDir)}.tmp-`);
  try {
    await writeStores(workFolder, resolved, options.onProgress);
    const files = {} as Record<DataHolderName, string>;
    for (const holder of DATA_HOLDERS) {
      files[holder] = await sha256OfFile(storePathIn(workFolder, holder));
    }
    const manifest: SandboxManifest = {
      seed: resolved.seed,
      persons: resolved.persons,
      asOf: resolved.asOf,
      generatorVersion: GENERATOR_VERSION,
      files,
    };
    writeFileSync(manifestPathIn(workFolder), serialiseManifest(manifest));
    swapIntoPlace(workFolder, holdersFolder(resolved.dataDir));
    return manifest;
  } finally {
    rmSync(workFolder, { recursive: true, force: true });
  }
}

export interface EnsureResult {
  readonly manifest: SandboxManifest;
  /** False when the existing dataset already matched the options. */
  readonly generated: boolean;
  readonly durationMs: number;
}

/** Generates the dataset unless the one in place was made from the same inputs by the same rules. */
export async function ensureSandboxData(options: SandboxOptions): Promise<EnsureResult> {
  const started = performance.now();
  const resolved = resolveSandboxOptions(options);
  const existing = readSandboxManifest(resolved.dataDir);
  const upToDate =
    existing !== null &&
    existing.seed === resolved.seed &&
    existing.persons === resolved.persons &&
    existing.asOf === resolved.asOf &&
    existing.generatorVersion === GENERATOR_VERSION &&
    DATA_HOLDERS.every((holder) => existsSync(holderStorePath(resolved.dataDir, holder)));
  if (upToDate) {
    return { manifest: existing, generated: false, durationMs: performance.now() - started };
  }
  const manifest = await generateSandboxData(options);
  return { manifest, generated: true, durationMs: performance.now() - started };
}

async function writeStores(
  folder: string,
  options: ResolvedSandboxOptions,
  onProgress: SandboxOptions['onProgress'],
): Promise<void> {
  const timeline = timelineFor(options.asOf);
  const writers = {
    civilStatus: new CivilStatusWriter(storePathIn(folder, 'civil-status'), CACHE_MIB),
    familyBenefits: new FamilyBenefitsWriter(storePathIn(folder, 'family-benefits'), CACHE_MIB),
    tax: new TaxWriter(storePathIn(folder, 'tax'), CACHE_MIB),
    employment: new EmploymentWriter(storePathIn(folder, 'employment'), CACHE_MIB),
    education: new EducationWriter(storePathIn(folder, 'education'), CACHE_MIB),
  };
  const stores = Object.values(writers).map((writer) => writer.store);
  try {
    writers.civilStatus.writeCommunes(COMMUNES);
    writers.education.writeInstitutions(INSTITUTIONS);

    // Named people first, so that their rectification ids do not depend on `persons`.
    const named = namedRecords(timeline);
    writers.civilStatus.write(named.persons);
    for (const file of named.benefitFiles) writers.familyBenefits.write(file);
    for (const household of named.taxHouseholds) writers.tax.write(household);
    for (const jobseeker of named.jobseekers) writers.employment.write(jobseeker);
    for (const student of named.students) writers.education.write(student);

    const derivers = {
      familyBenefits: new FamilyBenefitsDeriver(options.seed, timeline),
      tax: new TaxDeriver(options.seed, timeline, NAMED_TAX_HOUSEHOLD_IDS),
      employment: new EmploymentDeriver(options.seed, timeline),
      education: new EducationDeriver(options.seed, timeline),
    };
    const population = generatePopulation({
      seed: options.seed,
      persons: options.persons,
      timeline,
      reservedPersonIds: NAMED_PERSON_IDS,
    });
    let written = 0;
    let households = 0;
    for (const household of population) {
      const persons = civilStatusRecords(household);
      writers.civilStatus.write(persons);
      const file = derivers.familyBenefits.derive(household);
      if (file !== null) writers.familyBenefits.write(file);
      const taxHousehold = derivers.tax.derive(household);
      if (taxHousehold !== null) writers.tax.write(taxHousehold);
      for (const jobseeker of derivers.employment.derive(household)) {
        writers.employment.write(jobseeker);
      }
      for (const student of derivers.education.derive(household)) writers.education.write(student);

      written += persons.length;
      households += 1;
      if (households % HOUSEHOLDS_PER_TRANSACTION === 0) {
        for (const store of stores) store.checkpoint();
        onProgress?.(written, options.persons);
        // Let timers and signals run during a long generation.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    for (const store of stores) store.finish();
    onProgress?.(written, options.persons);
  } catch (error) {
    for (const store of stores) store.abandon();
    throw error;
  }
}

/** Replaces `target` with `source` by renames: readers see the old dataset, then the new one. */
function swapIntoPlace(source: string, target: string): void {
  const previous = `${source}-previous`;
  if (existsSync(target)) renameSync(target, previous);
  renameSync(source, target);
  rmSync(previous, { recursive: true, force: true });
}
