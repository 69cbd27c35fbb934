import { Lexer, Source, TokenKind } from 'graphql';

/** The size of a query text, before it is parsed. */
export type SourceMeasure = Readonly<{
  bytes: number;
  /** Tokens counted, stopping one past `maxTokens`: enough to know the limit is passed. */
  tokens: number;
}>;

/**
 * Measures a query text in UTF-8 bytes and lexical tokens. Tokens are counted
 * as graphql-js's `parse(source, { maxTokens })` counts them (comments are not
 * tokens), but without building the document, and counting stops one token
 * past the limit, so a huge text costs no more than a small one. A lexical
 * error ends the count: the parser reports it next, with its location.
 */
export function measureSource(text: string, maxTokens: number): SourceMeasure {
  const bytes = Buffer.byteLength(text, 'utf8');
  const lexer = new Lexer(new Source(text));
  let tokens = 0;
  try {
    while (tokens <= maxTokens && lexer.advance().kind !== TokenKind.EOF) tokens += 1;
  } catch {
    // A syntax error: Apollo Server's parse reports it as GRAPHQL_PARSE_FAILED.
  }
  return { bytes, tokens };
}
