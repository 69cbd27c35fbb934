import { type DataHolderDefinition, requirePattern } from '../kit/index.js';
import type { EmploymentLoaders, Jobseeker } from './loaders.js';

type Resolvers = DataHolderDefinition<EmploymentLoaders>['resolvers'];

const JOBSEEKER_ID = /^\d{7}[A-Z]$/;

export const employmentResolvers: Resolvers = {
  Query: {
    jobseekerById: (_parent, args: { jobseekerId: string }, { loaders }) => {
      requirePattern(
        'jobseekerId',
        args.jobseekerId,
        JOBSEEKER_ID,
        '7 digits and a capital letter',
        '1234567A',
      );
      const personId = loaders.personByJobseekerId(args.jobseekerId);
      return personId === null ? null : { id: personId };
    },
  },
  Person: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    jobseeker: (person: { id: string }, _args, { loaders }) =>
      loaders.jobseekerByPerson.load(person.id),
  },
  Jobseeker: {
    currentRegistration: (jobseeker: Jobseeker, _args, { clock }) => {
      const today = clock.today();
      return (
        jobseeker.registrations.find(
          (registration) =>
            registration.startDate <= today &&
            (registration.endDate === null || registration.endDate >= today),
        ) ?? null
      );
    },
  },
};
