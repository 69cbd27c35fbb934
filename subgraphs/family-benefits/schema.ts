import { AMOUNT_BRACKET_SDL, holderTypeDefs } from '../kit/index.js';

export const familyBenefitsTypeDefs = holderTypeDefs(/* GraphQL */ `
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
    """
    Every family quotient on file, most recent month first (up to 24 months),
    limited to the months the purpose's window allows.
    """
    familyQuotients: [FamilyQuotient!]!
      @window(by: "month", unit: "month")
      @listSize(assumedSize: 24)
    "Whether the household receives the minimum income today, and since when."
    minimumIncome: MinimumIncomeStatus!
    """
    Whether a member of the household receives a disability allowance
    (allocation aux adultes handicapés, or the education allowance for a
    disabled child). Health data: served only to a purpose citing a legal
    exception. Example: false.
    """
    disabilityAllowance: Boolean! @sensitive(category: "health")
    "Every member of the household, with their role."
    members: [HouseholdMember!]! @listSize(assumedSize: 8)
    "The children of the household."
    children: [Person!]! @listSize(assumedSize: 6)
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
    The bracket the family quotient falls in, among the brackets the purpose
    declares (e.g. a commune's canteen price brackets): for purposes that need
    no more precision. Example: with bounds [400, 700], a quotient of 380 is
    bracket 0.
    """
    valueBracket: AmountBracket! @reduces(field: "value", transform: "bracket")
    """
    Date the value was computed, written YYYY-MM-DD. A date after the month
    started means the value was recomputed (rectified).
    """
    computedOn: String!
  }

  ${AMOUNT_BRACKET_SDL}

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
