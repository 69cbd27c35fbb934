/**
 * How a test's request says which re-user asks and for which purpose
 * (DECISIONS.md section 1). Every test builds its credentials here, so that
 * when authentication replaces the sandbox headers with a signed client
 * assertion, this function changes and the tests do not.
 */
export type ReuserCredentials = Readonly<Record<string, string>>;

export type ReuserRequestOptions = {
  /** The person or service asking, for the access log. */
  agent?: string;
  /** The file or case reference, for purposes that require one. */
  reason?: string;
};

/** A default agent: every request for data names one. */
export const TEST_AGENT = 'agent-test-1';

/** The headers binding a request to `reuser` under `purpose`. */
export function asReuser(
  reuser: string,
  purpose: string,
  options: ReuserRequestOptions = {},
): ReuserCredentials {
  return {
    'passerelle-reuser': reuser,
    'passerelle-purpose': purpose,
    'passerelle-agent': options.agent ?? TEST_AGENT,
    ...(options.reason === undefined ? {} : { 'passerelle-reason': options.reason }),
  };
}
