import { AMOUNT_BRACKET_SDL, holderTypeDefs } from '../kit/index.js';

export const taxTypeDefs = holderTypeDefs(/* GraphQL */ `
  type Person @key(fields: "id") {
    "Opaque, stable join key between data holders. Internal: never disclosed to re-users."
    id: ID! @inaccessible
    "The tax household this person declares income in; null when the person files no return."
    taxHousehold: TaxHousehold
  }

  "The persons who file one income tax return together, and their assessments."
  type TaxHousehold {
    "Tax number of the person the household was reached from, 13 digits. Example: \\"3012345678901\\"."
    taxNumber: String!
    """
    Every assessment on file, most recent income year first (usually the
    last 3 years), limited to the income years the purpose's window allows.
    """
    assessments: [TaxAssessment!]!
      @window(by: "incomeYear", unit: "year")
      @listSize(assumedSize: 5)
    "The assessment for one income year, or null when none is on file."
    assessment("Year the income was earned. Example: 2025." incomeYear: Int!): TaxAssessment
  }

  "Marital or family situation declared for an income year."
  enum FamilySituation {
    MARRIED
    "Civil partnership (PACS)."
    CIVIL_PARTNERSHIP
    SINGLE
    DIVORCED
    WIDOWED
  }

  ${AMOUNT_BRACKET_SDL}

  "Income tax assessment (avis d'imposition) of a household for one income year."
  type TaxAssessment {
    "Year the income was earned; the assessment is issued the year after. Example: 2025."
    incomeYear: Int!
    "Reference tax income (revenu fiscal de référence), in whole euros. Example: 24150."
    referenceTaxIncome: Int!
    """
    The bracket the reference tax income falls in, among the brackets the
    purpose declares: for purposes that need no more precision. Example: with
    bounds [15000, 30000], an income of 24150 is bracket 1.
    """
    referenceTaxIncomeBracket: AmountBracket!
      @reduces(field: "referenceTaxIncome", transform: "bracket")
    """
    Whether the reference tax income is at or above the threshold the
    purpose declares, in euros: for purposes that need only that. Example:
    with threshold 20000, an income of 24150 gives true.
    """
    referenceTaxIncomeAtLeast: Boolean!
      @reduces(field: "referenceTaxIncome", transform: "threshold")
    "Number of shares (parts) of the household. Example: 2.5."
    numberOfShares: Float!
    "Family situation declared for the income year."
    familySituation: FamilySituation!
    "Number of dependants declared. Example: 2."
    dependantCount: Int!
    "The dependants declared for the income year."
    dependants: [Person!]! @listSize(assumedSize: 6)
    "Date the assessment was issued, written YYYY-MM-DD."
    assessedOn: String!
    """
    Derived: whether this assessment makes the household eligible for the
    regulated popular savings account (livret d'épargne populaire), i.e. the
    reference tax income is at most 22,823 euros for one share plus 6,092
    euros per additional half share.
    """
    regulatedSavingsAccountEligible: Boolean!
  }

  type Query {
    "The taxpayer with this tax number; null when the number is unknown."
    taxpayerByTaxNumber("Tax number, 13 digits." taxNumber: String!): Person
  }
`);
