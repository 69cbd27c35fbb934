import { AGE_BAND_SDL, holderTypeDefs } from '../kit/index.js';

export const civilStatusTypeDefs = holderTypeDefs(/* GraphQL */ `
  """
  A person registered in civil status. Re-users find a person by pivot
  identity (names, birth date, birth place) or by a sector identifier held by
  another administration.
  """
  type Person @key(fields: "id") {
    "Opaque, stable join key between data holders. Internal: never disclosed to re-users."
    id: ID! @inaccessible
    "Family name as registered in civil status. Example: \\"Martin\\"."
    familyName: String!
    "Given names in civil-status order. Example: [\\"Léa\\", \\"Marie\\"]."
    givenNames: [String!]! @listSize(assumedSize: 4)
    "Sex as registered in civil status."
    sex: Sex!
    "Date of birth, written YYYY-MM-DD. Example: \\"1986-04-12\\"."
    birthDate: String!
    "Year of birth, from the birth date: for purposes that need no more precision. Example: 1986."
    birthYear: Int! @reduces(field: "birthDate", transform: "year")
    """
    Age band on the data holder's current date, from the birth date, with
    the bounds the purpose declares. Example: with bounds [18, 25, 60], a
    person aged 40 is in band 2 (from 25 to 59).
    """
    ageBand: AgeBand! @reduces(field: "birthDate", transform: "ageBand")
    "Commune of birth (or country, for persons born abroad)."
    birthPlace: Commune!
    "Current residential address, with the date it was declared."
    address: Address!
    """
    Commune of the current residential address, without the street line or
    postal code: for purposes that need no more precision. Example: the
    commune "Lyon", code "69123".
    """
    residenceCommune: Commune! @reduces(field: "address", transform: "commune")
    "Date the civil-status record was last changed, written YYYY-MM-DD."
    civilStatusUpdatedOn: String!
  }

  "Sex as registered in civil status."
  enum Sex {
    "Female."
    F
    "Male."
    M
  }

  ${AGE_BAND_SDL}

  "A French commune, identified by its official geographic code."
  type Commune {
    "Official geographic code of the commune (INSEE code, 5 characters). Example: \\"75056\\"."
    code: String!
    "Name of the commune. Example: \\"Paris\\"."
    name: String!
    "Code of the département the commune belongs to. Example: \\"75\\"."
    departmentCode: String!
  }

  "A postal address in France."
  type Address {
    "Street line: number, way type and name. Example: \\"12 rue des Lilas\\"."
    line: String!
    "Postal code. Example: \\"69003\\"."
    postalCode: String!
    "Commune of the address."
    commune: Commune!
    "Date from which this address is the person's residence, written YYYY-MM-DD."
    since: String!
  }

  type Query {
    """
    Every person whose pivot identity matches. Names are compared without
    case or accents; given names match when they are the first registered
    given names (\\"Léa\\" matches \\"Léa Marie\\"). Without a birth place the
    result may hold several persons: it is never narrowed by a guess. Empty
    when nobody matches.
    """
    personsByPivotIdentity(
      "Family name. Example: \\"Martin\\"."
      familyName: String!
      "Given names, space separated, in civil-status order. Example: \\"Léa Marie\\"."
      givenNames: String!
      "Date of birth, written YYYY-MM-DD."
      birthDate: String!
      "Official geographic code of the commune of birth (5 characters). Strongly recommended."
      birthPlaceCode: String
      "Sex as registered, when known."
      sex: Sex
    ): [Person!]!
      # A match on names without case or accents, then on birth data: the
      # costliest lookup a holder serves. Homonyms born the same day are few.
      @cost(weight: 5)
      @listSize(assumedSize: 5, requireOneSlicingArgument: false)
  }
`);
