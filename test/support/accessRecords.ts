import { createHash } from 'node:crypto';
import type { AccessRecord } from '../../gateway/accessLog/index.js';

/** A subject reference as the gateway would compute it, for tests that need one. */
export function subjectRefOf(name: string): string {
  return createHash('sha256').update(`subject:${name}`).digest('hex');
}

/**
 * A valid access record; `overrides` change what a test is about. The
 * timestamp defaults to 2026-03-02 09:00 UTC plus `index` seconds.
 */
export function accessRecord(index = 0, overrides: Partial<AccessRecord> = {}): AccessRecord {
  return {
    timestamp: new Date(Date.UTC(2026, 2, 2, 9, 0, index)).toISOString(),
    requestId: `request-${index}`,
    traceId: `4bf92f3577b34da6a3ce929d0e0e${String(index).padStart(4, '0')}`,
    reuserId: 'commune-de-bellerive',
    agent: 'agent-17',
    purposeId: 'canteen-pricing',
    legalBasis: 'CRPA L114-8',
    operationType: 'query',
    operationName: 'CanteenPricing',
    documentHash: createHash('sha256').update(`query ${index}`).digest('hex'),
    coordinates: ['Person.familyName', 'TaxHousehold.referenceIncomeBracket'],
    subjectRefs: [subjectRefOf('alice')],
    outcome: { status: 'allowed' },
    policyVersion: 'a'.repeat(64),
    clientAddress: '192.0.2.10',
    latencyMs: 12.5,
    ...overrides,
  };
}
