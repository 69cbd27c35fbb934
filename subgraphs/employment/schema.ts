import { holderTypeDefs } from '../kit/index.js';

export const employmentTypeDefs = holderTypeDefs(/* GraphQL */ `
  type Person @key(fields: "id") {
    "Opaque, stable join key between data holders. Internal: never disclosed to re-users."
    id: ID! @inaccessible
    "The person's jobseeker file; null when the person was never registered as a jobseeker."
    jobseeker: Jobseeker
  }

  "A person's file at the public employment service."
  type Jobseeker {
    "Jobseeker identifier, 7 digits and a letter. Example: \\"1234567A\\"."
    jobseekerId: String!
    """
    Every registration period, most recent first, limited to the
    registrations starting in the months the purpose's window allows.
    """
    registrations: [JobseekerRegistration!]!
      @window(by: "startDate", unit: "month")
      @listSize(assumedSize: 12)
    "The registration in force today; null when not registered today."
    currentRegistration: JobseekerRegistration
    """
    Unemployment benefit payments, most recent month first, limited to the
    months the purpose's window allows.
    """
    benefitPayments: [BenefitPayment!]!
      @window(by: "month", unit: "month")
      @listSize(assumedSize: 24)
  }

  "A period of registration as a jobseeker."
  type JobseekerRegistration {
    """
    Registration category, 1 to 5. 1: available, seeking full-time
    permanent work, no activity. 2 and 3: same for part-time or fixed-term
    work. 4: not immediately available (training, sickness). 5: employed,
    seeking another job. Example: 1.
    """
    category: Int!
    "First day of registration, written YYYY-MM-DD."
    startDate: String!
    "Last day of registration, written YYYY-MM-DD; null while registered."
    endDate: String
  }

  "One monthly unemployment benefit payment."
  type BenefitPayment {
    "Month the payment covers, written YYYY-MM. Example: \\"2026-10\\"."
    month: String!
    "Amount paid in euros, with cents. Example: 1032.45."
    amount: Float!
    "Date of payment, written YYYY-MM-DD."
    paidOn: String!
  }

  type Query {
    "The jobseeker with this identifier; null when the identifier is unknown."
    jobseekerById("Jobseeker identifier, 7 digits and a letter." jobseekerId: String!): Person
  }
`);
