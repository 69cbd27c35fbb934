import { PasserelleError } from '../errors/index.js';
import type { CredentialSource } from './boundRequest.js';

/**
 * Production's credential source until authentication exists: it reads
 * nothing (least of all the sandbox's headers) and refuses every request.
 */
export const noCredentialsYet: CredentialSource = {
  read: () => ({
    kind: 'refused',
    error: new PasserelleError('AUTH_MISSING', {
      action:
        'Production serves only authenticated re-users, and authentication is not enabled on this gateway yet: use the sandbox.',
    }),
  }),
  whereIs: (claim) => `the "${claim}" claim of the client assertion`,
};
