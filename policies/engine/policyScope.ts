import type { DataHolderId } from './model.js';

/**
 * Which schema the policies are compiled against. `supergraph`: the composed
 * supergraph SDL, every grant checked (gateway, CLI). `holder`: one data
 * holder's own SDL, for its graphql-shield rules; grants on fields other
 * holders serve are skipped, and every field is served by that holder.
 */
export type PolicyScope = { kind: 'supergraph' } | { kind: 'holder'; holder: DataHolderId };
