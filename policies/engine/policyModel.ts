import type { ArgumentConstraintFile, GrantFile, TransformFile } from './grantSchema.js';
import type { ArgumentConstraint, Coordinate, Grant, Purpose, Reuser, Transform } from './model.js';
import type { PurposeFile } from './purposeFileSchema.js';
import type { ReuserFile } from './reuserFileSchema.js';

/** The validated content of a purpose file, in the model's shape (grants keep the file's order). */
export function toPurpose(file: PurposeFile, source: string): Purpose {
  const grants = new Map<Coordinate, Grant>();
  for (const [coordinate, grant] of Object.entries(file.grants)) {
    grants.set(coordinate, toGrant(coordinate, grant));
  }
  return deepFreeze({
    id: file.id,
    title: file.title,
    legalBasis: file.legalBasis,
    ...(file.description === undefined ? {} : { description: file.description }),
    holders: file.holders,
    stage: file.stage,
    validFrom: file.validFrom,
    validUntil: file.validUntil,
    mode: file.mode,
    grants,
    limits: file.limits,
    traceability: { requiredClaims: file.traceability.requiredClaims },
    retention: file.retention,
    ...(file.sensitiveDataException === undefined
      ? {}
      : { sensitiveDataException: file.sensitiveDataException }),
    source: { file: source },
  });
}

export function toReuser(file: ReuserFile, source: string): Reuser {
  return deepFreeze({
    id: file.id,
    organisationNumber: file.organisationNumber,
    name: file.name,
    contacts: file.contacts,
    purposes: file.purposes,
    ...(file.webhookUrl === undefined ? {} : { webhookUrl: file.webhookUrl }),
    ...(file.allowedIps === undefined ? {} : { allowedIps: file.allowedIps }),
    source: { file: source },
  });
}

function toGrant(coordinate: Coordinate, grant: GrantFile): Grant {
  const args =
    grant.args === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(grant.args).map(([name, constraint]) => [name, toConstraint(constraint)]),
        );
  return {
    coordinate,
    ...(grant.transform === undefined ? {} : { transform: toTransform(grant.transform) }),
    ...(grant.window === undefined ? {} : { window: grant.window }),
    ...(args === undefined ? {} : { args }),
    ...(grant.enumeration === undefined ? {} : { enumeration: { ...grant.enumeration } }),
  };
}

function toTransform(transform: TransformFile): Transform {
  if (typeof transform === 'string') return { kind: transform };
  // The schema guarantees exactly one key.
  if (transform.bracket !== undefined) return { kind: 'bracket', bounds: transform.bracket };
  if (transform.ageBand !== undefined) return { kind: 'ageBand', bounds: transform.ageBand };
  if (transform.threshold !== undefined)
    return { kind: 'threshold', threshold: transform.threshold };
  throw new TypeError('a validated transform object has one known key');
}

function toConstraint(constraint: ArgumentConstraintFile): ArgumentConstraint {
  if (constraint.window !== undefined) return { kind: 'window', window: constraint.window };
  if (constraint.oneOf !== undefined) return { kind: 'oneOf', values: constraint.oneOf };
  throw new TypeError('a validated argument constraint has one known key');
}

/**
 * Policies are shared by every request: freezing them makes an accidental
 * write throw in strict mode instead of widening access for everyone. Maps
 * cannot be frozen; they are exposed as ReadonlyMap.
 */
export function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    for (const entry of value.values()) deepFreeze(entry);
    return value;
  }
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}
