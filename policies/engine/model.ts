/**
 * The policy model: what a purpose grants, in the form every enforcement
 * point consumes (gateway pre-flight, graphql-shield in the subgraphs,
 * generated documentation). Policy files (YAML) are parsed and validated
 * into these types; nothing else defines access.
 */

/** A schema coordinate `Type.field`, e.g. `FamilyQuotient.value`. */
export type Coordinate = string;

/** The data holders (one subgraph each). */
export type DataHolderId = 'civil-status' | 'family-benefits' | 'tax' | 'employment' | 'education';

/**
 * A window of periods relative to the current one (from the holder's clock,
 * Europe/Paris), both ends included. `{ unit: 'month', from: -2, to: 0 }` is
 * the current month and the two before; `{ unit: 'year', from: -1, to: -1 }`
 * is last year only (income year N-1).
 */
export type PeriodWindow = {
  unit: 'month' | 'year' | 'academicYear';
  from: number;
  to: number;
};

/** A constraint on the value a re-user may pass to a field argument. */
export type ArgumentConstraint =
  /** The argument is a period (a `YYYY-MM` month, a year, a `YYYY-YYYY` academic year) inside the window. */
  | { kind: 'window'; window: PeriodWindow }
  /** The argument must be one of these values. */
  | { kind: 'oneOf'; values: readonly (string | number | boolean)[] };

/**
 * Precision reduction, applied by the data holder before data leaves it. A
 * transform that changes a value's type is served as its own derived field
 * (declared in the subgraph SDL with `@reduces(field:, transform:)`), so the
 * schema stays truthful: the purpose grants the source coordinate with a
 * transform, and the re-user selects the derived field.
 */
export type Transform =
  /** Date -> year (Int). */
  | { kind: 'year' }
  /** Date -> age band on the as-of date, bounds in years, e.g. [18, 25, 60]. */
  | { kind: 'ageBand'; bounds: readonly number[] }
  /** Amount -> bracket index and bounds, with the purpose's declared bounds (ascending). */
  | { kind: 'bracket'; bounds: readonly number[] }
  /** Value -> boolean: is the value at or above the threshold? */
  | { kind: 'threshold'; threshold: number }
  /** Address -> commune only. */
  | { kind: 'commune' };

export type TransformKind = Transform['kind'];

/** What one entry of a purpose's `grants` gives. */
export type Grant = {
  /** The coordinate as written in the policy file (the source field when transformed). */
  coordinate: Coordinate;
  transform?: Transform;
  /** For list fields declared `@window(...)` in the SDL: only items inside this window. */
  window?: PeriodWindow;
  /** Constraints on the field's arguments, by argument name. */
  args?: Readonly<Record<string, ArgumentConstraint>>;
  /**
   * For a root field that could list persons without an identifier (see
   * `PERSON_TYPE`): the purpose allows it, and a response using it may carry
   * at most this many distinct persons. Absent: the field is refused.
   */
  enumeration?: { maxPersons: number };
};

/**
 * The type whose objects are persons, the subjects of the data. Persons are
 * reachable only through identifier lookups (DOMAIN.md M4): a root field
 * that could enumerate them is refused unless a grant bounds it.
 */
export const PERSON_TYPE = 'Person';

export type PurposeMode = 'reject' | 'filter' | 'dry-run';

export type PurposeLimits = {
  /** Distinct persons whose data may leave in one response. */
  subjectsPerRequest: number;
  requestsPerMinute: number;
  /** Distinct persons per re-user, purpose and calendar day (Europe/Paris). */
  subjectsPerDay: number;
  /** Optional tightening of the gateway's document guards. */
  maxDepth?: number;
  maxCost?: number;
};

export type Purpose = {
  id: string;
  title: string;
  /** Legal basis, cited (law, article). */
  legalBasis: string;
  /** Why the fields are necessary, in words, for the generated documentation. */
  description?: string;
  holders: readonly DataHolderId[];
  stage: 'sandbox' | 'production';
  /** ISO dates, inclusive. */
  validFrom: string;
  validUntil: string;
  mode: PurposeMode;
  grants: ReadonlyMap<Coordinate, Grant>;
  limits: PurposeLimits;
  traceability: { requiredClaims: readonly string[] };
  /** How long the re-user commits to keep the data, ISO 8601 duration, e.g. 'P1Y'. */
  retention: string;
  /** For a sensitive field granted: the legal exception cited. */
  sensitiveDataException?: string;
  /** Where the purpose was read from, for error messages. */
  source: { file: string };
};

export type ReuserPurposeGrant = { purpose: string; validFrom: string; validUntil: string };

export type Reuser = {
  id: string;
  /** Organisation number (SIRET, 14 digits). */
  organisationNumber: string;
  name: string;
  contacts: readonly { role: string; name?: string; email: string }[];
  purposes: readonly ReuserPurposeGrant[];
  webhookUrl?: string;
  /** When present, requests are accepted only from these addresses or CIDR ranges. */
  allowedIps?: readonly string[];
  source: { file: string };
};

/**
 * What a purpose lets a re-user select, after transforms: derived fields
 * replace their source fields. This is what the gateway checks operations
 * against and what each subgraph's shield rules are built from.
 */
export type SelectableField = {
  coordinate: Coordinate;
  /** The data holder serving it (from the supergraph's join directives). */
  holder: DataHolderId;
  /** The grant it comes from (the source field's grant for a derived field). */
  grant: Grant;
  /** For a derived field: the transform to apply (parameters from the grant). */
  transform?: Transform;
  /** For a field declared `@sensitive(category:)`: the category (DOMAIN.md M5). */
  sensitiveCategory?: string;
  /**
   * For a list field declared `@window(by:, unit:)`: the item field holding
   * each item's period (`by`), which the grant's `window` filters on.
   */
  periodField?: string;
};

export type CompiledPurpose = Purpose & {
  selectable: ReadonlyMap<Coordinate, SelectableField>;
};

/** A validated, compiled, immutable set of policies. */
export type PolicySet = {
  /** SHA-256 of the policy files' contents in a stable order (DECISIONS.md §2). */
  version: string;
  purposes: ReadonlyMap<string, CompiledPurpose>;
  reusers: ReadonlyMap<string, Reuser>;
};

/** One problem in the policy files, located for the author. */
export type PolicyProblem = {
  file: string;
  /** 1-based; absent when the problem is not tied to a place in a file. */
  line?: number;
  column?: number;
  /** Path inside the YAML document, e.g. `grants.FamilyQuotient.valeu`. */
  path: string;
  message: string;
  /** E.g. `did you mean FamilyQuotient.value?` */
  suggestion?: string;
  /** Absent means 'error'. Warnings never stop a policy set from loading. */
  severity?: 'error' | 'warning';
};
