import { createBatchLoader, type HolderStore } from '../kit/index.js';

export type Institution = { uai: string; name: string; communeCode: string; communeName: string };
export type Enrolment = {
  academicYear: string;
  enrolled: boolean;
  startDate: string;
  endDate: string;
  institution: Institution;
};
export type Scholarship = {
  academicYear: string;
  level: number;
  paymentStart: string;
  paymentEnd: string;
  decidedOn: string;
};
export type Student = {
  studentNumber: string;
  email: string;
  /** Most recent academic year first. */
  enrolments: Enrolment[];
  /** Most recent academic year first. */
  scholarships: Scholarship[];
};

type StudentRow = {
  person_id: string;
  student_number: string;
  email: string;
  enrolments: string;
  scholarships: string;
};

// One statement per batch; enrolments (with their institution) and scholarships come back as JSON.
const STUDENTS_BY_PERSON = /* SQL */ `
  SELECT s.person_id, s.student_number, s.email,
    (SELECT json_group_array(json_object(
        'academicYear', e.academic_year, 'enrolled', json(CASE e.status WHEN 'ENROLLED' THEN 'true' ELSE 'false' END),
        'startDate', e.start_date, 'endDate', e.end_date,
        'institution', json_object('uai', e.uai, 'name', e.name, 'communeCode', e.commune_code, 'communeName', e.commune_name)))
       FROM (SELECT e.*, i.uai, i.name, i.commune_code, i.commune_name
               FROM enrolments e JOIN institutions i ON i.uai = e.institution_uai
              WHERE e.person_id = s.person_id ORDER BY e.academic_year DESC) e) AS enrolments,
    (SELECT json_group_array(json_object(
        'academicYear', b.academic_year, 'level', b.level, 'paymentStart', b.payment_start,
        'paymentEnd', b.payment_end, 'decidedOn', b.decided_on))
       FROM (SELECT * FROM scholarships WHERE person_id = s.person_id ORDER BY academic_year DESC) b) AS scholarships
  FROM students s
  WHERE s.person_id IN (SELECT value FROM json_each(?))`;

const PERSON_BY_STUDENT_NUMBER = 'SELECT person_id FROM students WHERE student_number = ?';

export function createEducationLoaders(store: HolderStore) {
  return {
    studentByPerson: createBatchLoader<StudentRow, Student | null>(store, {
      sql: STUDENTS_BY_PERSON,
      keyOf: (row) => row.person_id,
      toValue: ([row]) =>
        row === undefined
          ? null
          : {
              studentNumber: row.student_number,
              email: row.email,
              enrolments: JSON.parse(row.enrolments) as Enrolment[],
              scholarships: JSON.parse(row.scholarships) as Scholarship[],
            },
    }),
    personByStudentNumber(studentNumber: string): string | null {
      return (
        store.get<{ person_id: string }>(PERSON_BY_STUDENT_NUMBER, studentNumber)?.person_id ?? null
      );
    },
  };
}

export type EducationLoaders = ReturnType<typeof createEducationLoaders>;
