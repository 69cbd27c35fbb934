import { getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ConfigError, GUARD_DEFAULTS, parseGatewayConfig } from '../../../gateway/config/index.js';
import {
  checkDocument,
  checkSource,
  type GuardLimits,
  measureDocument,
  measureSource,
} from '../../../gateway/documentGuards/index.js';

const LIMITS: GuardLimits = { ...GUARD_DEFAULTS };
const GATEWAY = { purpose: undefined };

function measured(text: string) {
  const measure = measureDocument(parse(text));
  if (measure.kind !== 'measured') throw new Error(`expected a measure, got ${measure.kind}`);
  return measure;
}

/** The code of the first check that refuses `text` under `limits`, or undefined. */
function refusalOf(text: string, limits: Partial<GuardLimits> = {}, purpose?: string) {
  const error = checkDocument(measureDocument(parse(text)), { ...LIMITS, ...limits }, { purpose });
  return error === undefined
    ? undefined
    : { code: error.code, message: error.message, extensions: error.publicExtensions };
}

/** `{ a { a { ... } } }`, `levels` fields deep. */
const nested = (levels: number) => `${'{ a '.repeat(levels)}${'}'.repeat(levels)}`;

describe('measuring a document, fragments inlined', () => {
  it('counts depth below the root, without __typename', () => {
    expect(measured('{ a }').depth).toBe(1);
    expect(measured('{ a { b { c } } }').depth).toBe(3);
    expect(measured('{ a { b { __typename } } }').depth).toBe(2);
    expect(measured('{ a { b { c } } }').deepestRootField).toBe('a');
  });

  it('sees the depth a fragment hides, at the level it is spread', () => {
    const text = '{ a { ...F } } fragment F on T { b { c { d } } }';
    expect(measured(text).depth).toBe(4);
    const chain =
      '{ a { ...F1 } } fragment F1 on T { b { ...F2 } } fragment F2 on T { c { d { e } } }';
    expect(measured(chain).depth).toBe(5);
  });

  it('counts aliases and directives every time a fragment is spread', () => {
    const text = `{ x: a { ...F } y: a { ...F } z: a { ...F } }
      fragment F on T { p: b @include(if: true) q: b }`;
    const measure = measured(text);
    expect(measure.aliases).toBe(3 + 3 * 2);
    expect(measure.directives).toBe(3);
  });

  it('measures an exponentially large inlined document in linear time', () => {
    // F0 spreads F1 twice, F1 spreads F2 twice... : 2^60 aliases once inlined.
    const fragments = Array.from(
      { length: 60 },
      (_, index) => `fragment F${index} on T { ...F${index + 1} ...F${index + 1} }`,
    );
    const text = `{ a { ...F0 } } ${fragments.join(' ')} fragment F60 on T { x: b }`;
    const started = performance.now();
    const measure = measured(text);
    expect(performance.now() - started).toBeLessThan(200);
    expect(measure.aliases).toBe(2 ** 60);
    expect(refusalOf(text)?.code).toBe('TOO_MANY_ALIASES');
  });

  it('counts distinct root response keys, through root fragments, not __typename', () => {
    expect(measured('{ a b a __typename }').rootFields).toBe(2);
    expect(
      measured('{ a ...R ... on Query { c } } fragment R on Query { b x: b }').rootFields,
    ).toBe(4);
    // Per operation: the largest one counts.
    expect(measured('query A { a b } query B { c }').rootFields).toBe(2);
  });

  it('walks any nesting the parser accepts without recursion', () => {
    // graphql-js's own parser overflows the stack near 5000 levels: hence the
    // token limit, checked on the text before it is parsed.
    expect(() => parse(nested(5000))).toThrow(RangeError);
    expect(measured(nested(1000)).depth).toBe(1000);
  });

  it('finds fragment cycles, direct or through other fragments, without looping', () => {
    expect(measureDocument(parse('{ a { ...A } } fragment A on T { ...A }'))).toEqual({
      kind: 'cycle',
      cycle: ['A', 'A'],
    });
    const cycle = measureDocument(
      parse(
        '{ a { ...A } } fragment A on T { b { ...B } } fragment B on T { ...C } fragment C on T { c { ...A } }',
      ),
    );
    expect(cycle).toEqual({ kind: 'cycle', cycle: ['A', 'B', 'C', 'A'] });
  });

  it('treats only real __schema / __type root fields as introspection', () => {
    const standard = measured(getIntrospectionQuery());
    expect(standard.depth).toBe(0);
    expect(standard.introspection.depth).toBeGreaterThan(10);
    // Aliased real introspection is still introspection.
    expect(measured('{ s: __schema { types { name } } }').introspection.depth).toBe(3);
    // A data field aliased `__schema`, or a fragment named `__schema`, is data.
    const aliased = measured('{ __schema: a { b { c } } }');
    expect(aliased).toMatchObject({ depth: 3, introspection: { depth: 0 } });
    const fragment = measured('{ ...__schema } fragment __schema on Query { a { b } }');
    expect(fragment).toMatchObject({ depth: 2, introspection: { depth: 0 } });
  });
});

describe('the guards, in order', () => {
  it('let a normal query and the standard introspection query through', () => {
    expect(refusalOf('{ person(id: "1") { familyName birthYear } }')).toBeUndefined();
    expect(refusalOf(getIntrospectionQuery())).toBeUndefined();
  });

  it('refuse a fragment cycle with FRAGMENT_CYCLE naming it', () => {
    const refusal = refusalOf('{ a { ...A } } fragment A on T { ...B } fragment B on T { ...A }');
    expect(refusal).toMatchObject({
      code: 'FRAGMENT_CYCLE',
      extensions: { fragments: ['A', 'B', 'A'] },
    });
    expect(refusal?.message).toContain('A -> B -> A');
  });

  it('refuse depth with QUERY_TOO_DEEP, giving the limit and the actual depth', () => {
    const refusal = refusalOf(nested(11));
    expect(refusal).toMatchObject({
      code: 'QUERY_TOO_DEEP',
      extensions: { limit: 10, actual: 11 },
    });
    expect(refusal?.message).toBe(
      'The query nests 11 levels deep under "a", more than the 10 allowed. Select less deeply nested fields, or split the query.',
    );
    expect(refusalOf(nested(10))).toBeUndefined();
  });

  it("apply a purpose's tighter depth and name the purpose", () => {
    const refusal = refusalOf(nested(4), { maxDepth: 3 }, 'identity-check');
    expect(refusal).toMatchObject({
      code: 'QUERY_TOO_DEEP',
      extensions: { limit: 3, actual: 4, purpose: 'identity-check' },
    });
    expect(refusal?.message).toContain('for the purpose "identity-check"');
  });

  it('refuse the introspection bomb: list fields nested in one another', () => {
    const bomb =
      '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
    const refusal = refusalOf(bomb);
    expect(refusal).toMatchObject({ code: 'QUERY_TOO_DEEP', extensions: { limit: 3, actual: 4 } });
    expect(refusal?.message).toContain('in introspection');
  });

  it('refuse root fields, aliases and directives over their limits', () => {
    const roots = Array.from({ length: 11 }, (_, index) => `f${index}`).join(' ');
    expect(refusalOf(`{ ${roots} }`)).toMatchObject({
      code: 'TOO_MANY_ROOT_FIELDS',
      extensions: { limit: 10, actual: 11 },
    });
    const aliases = Array.from({ length: 16 }, (_, index) => `x${index}: a { b }`).join(' ');
    expect(refusalOf(`{ p { ${aliases} } }`)).toMatchObject({
      code: 'TOO_MANY_ALIASES',
      extensions: { limit: 15, actual: 16 },
    });
    const directives = '@include(if: true) '.repeat(21);
    expect(refusalOf(`{ a ${directives} }`)).toMatchObject({
      code: 'TOO_MANY_DIRECTIVES',
      extensions: { limit: 20, actual: 21 },
    });
  });
});

describe('the query text', () => {
  it('counts tokens as graphql-js does, stopping one past the limit', () => {
    expect(measureSource('{ a { b } } # comment', 100)).toEqual({ bytes: 21, tokens: 6 });
    expect(measureSource('{ a '.repeat(100_000), 10).tokens).toBe(11);
  });

  it('refuses too many bytes or tokens with DOCUMENT_TOO_LARGE', () => {
    const long = `{ a(s: "${'x'.repeat(40_000)}") }`;
    const bytes = checkSource(measureSource(long, LIMITS.maxTokens), LIMITS);
    expect(bytes).toMatchObject({ code: 'DOCUMENT_TOO_LARGE' });
    expect(bytes?.message).toContain(`more than the ${32 * 1024} allowed`);
    const tokens = checkSource(measureSource('{ a }'.repeat(700), LIMITS.maxTokens), LIMITS);
    expect(tokens?.message).toContain('more than 2000 tokens');
    expect(checkSource(measureSource('{ a }', LIMITS.maxTokens), LIMITS)).toBeUndefined();
  });

  it('leaves syntax errors to the parser', () => {
    // `{ a ( s :` then an unterminated string: the count ends there.
    expect(measureSource('{ a(s: "unterminated }', 100).tokens).toBe(5);
  });
});

describe('guard configuration', () => {
  const SUBGRAPHS = 'civil-status=http://127.0.0.1:4001/graphql';

  it('defaults to the documented limits', () => {
    expect(parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS }).guards).toEqual({
      maxDepth: 10,
      maxAliases: 15,
      maxRootFields: 10,
      maxDirectives: 20,
      maxTokens: 2000,
      maxDocumentBytes: 32_768,
      maxCost: 1000,
      defaultListSize: 10,
    });
  });

  it('reads each limit from its variable', () => {
    const config = parseGatewayConfig({
      PASSERELLE_SUBGRAPHS: SUBGRAPHS,
      PASSERELLE_MAX_DEPTH: '6',
      PASSERELLE_MAX_ALIASES: '0',
      PASSERELLE_MAX_ROOT_FIELDS: '3',
      PASSERELLE_MAX_DIRECTIVES: '5',
      PASSERELLE_MAX_TOKENS: '500',
      PASSERELLE_MAX_DOCUMENT_BYTES: '4096',
      PASSERELLE_MAX_COST: '250',
      PASSERELLE_DEFAULT_LIST_SIZE: '20',
    });
    expect(config.guards).toEqual({
      maxDepth: 6,
      maxAliases: 0,
      maxRootFields: 3,
      maxDirectives: 5,
      maxTokens: 500,
      maxDocumentBytes: 4096,
      maxCost: 250,
      defaultListSize: 20,
    });
    expect(Object.isFrozen(config.guards)).toBe(true);
  });

  it('lists every invalid limit in one error', () => {
    let issues: readonly { variable: string; problem: string }[] = [];
    try {
      parseGatewayConfig({
        PASSERELLE_SUBGRAPHS: SUBGRAPHS,
        PASSERELLE_MAX_DEPTH: '0',
        PASSERELLE_MAX_COST: 'cheap',
        PASSERELLE_MAX_DOCUMENT_BYTES: String(2 * 1024 * 1024),
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues = error.issues;
    }
    expect(issues).toEqual([
      { variable: 'PASSERELLE_MAX_DEPTH', problem: 'must be a whole number from 1 to 1000' },
      {
        variable: 'PASSERELLE_MAX_DOCUMENT_BYTES',
        problem: 'must be a whole number from 1 to 1048576',
      },
      { variable: 'PASSERELLE_MAX_COST', problem: 'must be a whole number from 1 to 1000000000' },
    ]);
  });
});

describe('limits source', () => {
  it('names no purpose for gateway limits', () => {
    const error = checkDocument(measureDocument(parse(nested(12))), LIMITS, GATEWAY);
    expect(error?.publicExtensions).toEqual({ limit: 10, actual: 12 });
  });
});
