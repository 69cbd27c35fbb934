import { type DataHolderDefinition, requirePattern } from '../kit/index.js';
import { academicYearOf } from './academicYear.js';
import type { EducationLoaders, Student } from './loaders.js';

type Resolvers = DataHolderDefinition<EducationLoaders>['resolvers'];

const STUDENT_NUMBER = /^\d{10}[A-Z]$/;

export const educationResolvers: Resolvers = {
  Query: {
    studentByNumber: (_parent, args: { studentNumber: string }, { loaders }) => {
      requirePattern(
        'studentNumber',
        args.studentNumber,
        STUDENT_NUMBER,
        '10 digits and a capital letter',
        '1234567890A',
      );
      const personId = loaders.personByStudentNumber(args.studentNumber);
      return personId === null ? null : { id: personId };
    },
  },
  Person: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    student: (person: { id: string }, _args, { loaders }) =>
      loaders.studentByPerson.load(person.id),
  },
  Student: {
    currentEnrolment: (student: Student, _args, { clock }) => {
      const year = academicYearOf(clock.today());
      return student.enrolments.find((enrolment) => enrolment.academicYear === year) ?? null;
    },
    isScholarshipHolder: (student: Student, _args, { clock }) => {
      const year = academicYearOf(clock.today());
      return student.scholarships.some((scholarship) => scholarship.academicYear === year);
    },
    currentScholarship: (student: Student, _args, { clock }) => {
      const year = academicYearOf(clock.today());
      return student.scholarships.find((scholarship) => scholarship.academicYear === year) ?? null;
    },
  },
};
