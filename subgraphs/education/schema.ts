import { holderTypeDefs } from '../kit/index.js';

export const educationTypeDefs = holderTypeDefs(/* GraphQL */ `
  type Person @key(fields: "id") {
    "Opaque, stable join key between data holders. Internal: never disclosed to re-users."
    id: ID! @inaccessible
    "The person's pupil or student record; null when the person was never enrolled."
    student: Student
  }

  "A pupil's or student's record in national education and higher education."
  type Student {
    "National student number, 10 digits and a letter. Example: \\"1234567890A\\"."
    studentNumber: String!
    "Institutional e-mail address. Example: \\"lea.martin@etu.example.fr\\"."
    email: String!
    """
    Enrolments, most recent academic year first, limited to the academic
    years the purpose's window allows.
    """
    enrolments: [Enrolment!]!
      @window(by: "academicYear", unit: "academicYear")
      @listSize(assumedSize: 8)
    "The enrolment of the current academic year; null when not enrolled this year."
    currentEnrolment: Enrolment
    """
    Scholarships awarded, most recent academic year first, limited to the
    academic years the purpose's window allows.
    """
    scholarships: [Scholarship!]!
      @window(by: "academicYear", unit: "academicYear")
      @listSize(assumedSize: 8)
    "Whether the student holds a scholarship for the current academic year."
    isScholarshipHolder: Boolean!
    "The scholarship of the current academic year; null when none."
    currentScholarship: Scholarship
  }

  "Enrolment in an institution for one academic year."
  type Enrolment {
    "Academic year, written YYYY-YYYY (September to August). Example: \\"2026-2027\\"."
    academicYear: String!
    "Whether the enrolment is in force (false once the student withdrew)."
    enrolled: Boolean!
    "First day of the enrolment, written YYYY-MM-DD."
    startDate: String!
    "Last day of the enrolment, written YYYY-MM-DD."
    endDate: String!
    "The institution of the enrolment."
    institution: Institution!
  }

  "A school or higher-education institution."
  type Institution {
    "Official institution code (UAI), 7 digits and a letter. Example: \\"0751234A\\"."
    uai: String!
    "Name of the institution. Example: \\"Lycée Victor Hugo\\"."
    name: String!
    "Official geographic code of the institution's commune. Example: \\"75056\\"."
    communeCode: String!
    "Name of the institution's commune. Example: \\"Paris\\"."
    communeName: String!
  }

  "Needs-based scholarship (bourse sur critères sociaux) for one academic year."
  type Scholarship {
    "Academic year, written YYYY-YYYY. Example: \\"2026-2027\\"."
    academicYear: String!
    "Scholarship level, 0 (lowest) to 7 (highest). Example: 4."
    level: Int!
    "First month of payment, written YYYY-MM-DD."
    paymentStart: String!
    "Last month of payment, written YYYY-MM-DD."
    paymentEnd: String!
    "Date the scholarship was decided, written YYYY-MM-DD."
    decidedOn: String!
  }

  type Query {
    "The pupil or student with this national student number; null when the number is unknown."
    studentByNumber("National student number, 10 digits and a letter." studentNumber: String!): Person
  }
`);
