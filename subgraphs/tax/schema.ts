import { parse } from 'graphql';

export const taxTypeDefs = parse(/* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])

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
    "Every assessment on file, most recent income year first (usually the last 3 years)."
    assessments: [TaxAssessment!]!
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

  "Income tax assessment (avis d'imposition) of a household for one income year."
  type TaxAssessment {
    "Year the income was earned; the assessment is issued the year after. Example: 2025."
    incomeYear: Int!
    "Reference tax income (revenu fiscal de référence), in whole euros. Example: 24150."
    referenceTaxIncome: Int!
    "Number of shares (parts) of the household. Example: 2.5."
    numberOfShares: Float!
    "Family situation declared for the income year."
    familySituation: FamilySituation!
    "Number of dependants declared. Example: 2."
    dependantCount: Int!
    "The dependants declared for the income year."
    dependants: [Person!]!
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
