/**
 * The schema handed to the engine cannot be used: its SDL does not parse, or
 * a supergraph scope was given an SDL without join directives. This is a
 * fault of the calling code, not of the policy files, so it is thrown rather
 * than reported as a `PolicyProblem`.
 */
export class PolicySchemaError extends Error {
  override readonly name = 'PolicySchemaError';
}
