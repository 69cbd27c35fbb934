import { HeaderMap } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { createRequestBinder } from '../../../gateway/boundRequest/index.js';
import { asReuser } from '../../support/asReuser.js';

// The bound request (DECISIONS.md section 1), built from headers before
// anything else runs. The HTTP behaviour of each outcome is tested in
// purposes.test.ts; these are the source's own rules.

const headers = (values: Record<string, string>) => new HeaderMap(Object.entries(values));

describe('the sandbox source (Passerelle-* headers)', () => {
  const binder = createRequestBinder('sandbox');

  it('binds re-user, purpose, agent and reason, with fresh ids', () => {
    const first = binder.bind(
      headers(asReuser('commune-a', 'school-canteen-pricing', { reason: 'file 42' })),
    );
    const second = binder.bind(headers(asReuser('commune-a', 'school-canteen-pricing')));
    expect(first).toEqual({
      kind: 'bound',
      request: {
        mode: 'sandbox',
        reuserId: 'commune-a',
        purposeId: 'school-canteen-pricing',
        agent: 'agent-test-1',
        reason: 'file 42',
        requestId: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        ),
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    });
    if (first.kind !== 'bound' || second.kind !== 'bound') throw new Error('expected bound');
    expect(second.request.reason).toBeUndefined();
    expect(second.request.requestId).not.toBe(first.request.requestId);
    expect(second.request.traceId).not.toBe(first.request.traceId);
  });

  it('lets a request with neither re-user nor purpose go on, anonymous, saying what to send', () => {
    expect(binder.bind(headers({ 'passerelle-agent': 'someone' }))).toMatchObject({
      kind: 'anonymous',
      missing: ['Passerelle-Reuser', 'Passerelle-Purpose'],
    });
  });

  it.each([
    [
      { 'passerelle-purpose': 'school-canteen-pricing' },
      /Passerelle-Reuser, Passerelle-Agent are missing/,
    ],
    [{ ...asReuser('commune-a', 'x'), 'passerelle-agent': ' ' }, /Passerelle-Agent is missing/],
    [asReuser('Commune-A', 'school-canteen-pricing'), /Passerelle-Reuser header must be an id/],
    [asReuser('commune-a', 'a'.repeat(101)), /Passerelle-Purpose header must be an id/],
    [
      asReuser('commune-a', 'x', { agent: 'a\u0007b' }),
      /Passerelle-Agent header must be printable/,
    ],
    [
      asReuser('commune-a', 'x', { reason: 'r'.repeat(201) }),
      /Passerelle-Reason header must be printable/,
    ],
  ])('refuses %j with BAD_REQUEST', (values, message) => {
    const outcome = binder.bind(headers(values));
    expect(outcome.kind).toBe('refused');
    if (outcome.kind !== 'refused') return;
    expect(outcome.error.code).toBe('BAD_REQUEST');
    expect(outcome.error.status).toBe(400);
    expect(outcome.error.message).toMatch(message);
  });
});

describe('production, until authentication exists', () => {
  it('never reads the sandbox headers and refuses with AUTH_MISSING', () => {
    const binder = createRequestBinder('production');
    for (const values of [{}, asReuser('commune-a', 'school-canteen-pricing')]) {
      const outcome = binder.bind(headers(values));
      expect(outcome.kind).toBe('refused');
      if (outcome.kind !== 'refused') return;
      expect(outcome.error.code).toBe('AUTH_MISSING');
      expect(outcome.error.status).toBe(401);
      expect(outcome.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
