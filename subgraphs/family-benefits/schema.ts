import { parse } from 'graphql';

export const familyBenefitsTypeDefs = parse(/* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])

  type Person @key(fields: "id") {
    "Opaque, stable join key between data holders. Internal: never disclosed to re-users."
    id: ID! @inaccessible
    """
    The family benefits file this person belongs to, as beneficiary, partner,
    child or other household member. Null when the person has no file.
    """
    familyBenefits: FamilyBenefitsFile
  }

  "A household's family benefits file."
  type FamilyBenefitsFile {
    "Benefits file number, 7 digits. Example: \\"1234567\\"."
    fileNumber: String!
    "The role in this file of the person it was reached from."
    role: HouseholdRole!
    "Date the file was opened, written YYYY-MM-DD."
    openedOn: String!
    """
    The household's family quotient for one month, or null when none was
    computed for that month.
    """
    familyQuotient("Month, written YYYY-MM. Example: \\"2026-11\\"." month: String!): FamilyQuotient
    "Every family quotient on file, most recent month first (up to 24 months)."
    familyQuotients: [FamilyQuotient!]!
    "Whether the household receives the minimum income today, and since when."
    minimumIncome: MinimumIncomeStatus!
    "Every member of the household, with their role."
    members: [HouseholdMember!]!
    "The children of the household."
    children: [Person!]!
    "Address of the household as known to the family benefits office."
    address: FamilyBenefitsAddress!
  }

  "Role of a person in a family benefits file."
  enum HouseholdRole {
    "The person the benefits are paid to."
    BENEFICIARY
    "The beneficiary's spouse or partner."
    PARTNER
    "A dependent child."
    CHILD
    "Another dependent household member."
    OTHER
  }

  """
  Family quotient (quotient familial) of a household for one month: monthly
  resources divided by the number of shares of the household, in whole euros.
  Used by communes and départements to price services.
  """
  type FamilyQuotient {
    "Month the quotient applies to, written YYYY-MM. Example: \\"2026-11\\"."
    month: String!
    "Family quotient in euros (whole number). Example: 380."
    value: Int!
    """
    Date the value was computed, written YYYY-MM-DD. A date after the month
    started means the value was recomputed (rectified).
    """
    computedOn: String!
  }

  "Minimum income (revenu de solidarité active) status of a household."
  type MinimumIncomeStatus {
    "Whether the household receives the minimum income today."
    beneficiary: Boolean!
    "Start of the current entitlement, written YYYY-MM-DD; null when not a beneficiary."
    since: String
    "Date the status was last computed, written YYYY-MM-DD; null when never entitled."
    computedOn: String
  }

  "A member of a household, with their role in the benefits file."
  type HouseholdMember {
    role: HouseholdRole!
    person: Person!
  }

  "Postal address of a household as known to the family benefits office."
  type FamilyBenefitsAddress {
    "Street line. Example: \\"12 rue des Lilas\\"."
    line: String!
    "Postal code. Example: \\"69003\\"."
    postalCode: String!
    "Official geographic code of the commune (5 characters). Example: \\"69383\\"."
    communeCode: String!
    "Name of the commune. Example: \\"Lyon\\"."
    communeName: String!
  }

  type Query {
    "The beneficiary of a family benefits file, found by file number; null when the number is unknown."
    beneficiaryByFileNumber("Benefits file number, 7 digits." fileNumber: String!): Person
  }
`);
