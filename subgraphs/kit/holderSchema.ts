import { type DocumentNode, parse } from 'graphql';

/**
 * The minimisation directives, a custom spec linked by every data holder and
 * composed into the supergraph (`@composeDirective`), so that the gateway,
 * the policy engine and the generated documentation read, from the schema
 * itself, which fields are derived, windowed or sensitive.
 */
const MINIMISATION_SPEC_URL = 'https://passerelle.example/minimisation/v0.1';

/**
 * The head of every data holder's SDL: federation 2.9 and the minimisation
 * spec, and the directives' definitions. Federation 2.9 brings `@cost` and
 * `@listSize` (IBM GraphQL cost specification): each holder declares the
 * expected size of its lists and the weight of its expensive fields, and
 * composition carries them to the gateway's cost analysis. One text for all holders, because
 * composition requires a composed directive to be defined identically
 * wherever it is used.
 */
const HOLDER_SCHEMA_PREAMBLE = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.9"
      import: ["@key", "@inaccessible", "@shareable", "@composeDirective", "@cost", "@listSize"]
    )
    @link(url: "${MINIMISATION_SPEC_URL}", import: ["@reduces", "@sensitive", "@window"])
    @composeDirective(name: "@reduces")
    @composeDirective(name: "@sensitive")
    @composeDirective(name: "@window")

  """
  A derived field: the value of \`field\` (a field of the same type) with its
  precision reduced by \`transform\` (year, ageBand, bracket, threshold,
  commune). A purpose grants the source field with that transform and the
  re-user selects the derived field; the source value never leaves the data
  holder. Parameters (bounds, threshold) come from the purpose.
  """
  directive @reduces(field: String!, transform: String!) on FIELD_DEFINITION

  """
  A field holding special-category data (GDPR art. 9): \`category\` is health,
  religion, origin, opinion, sexLife, biometrics or criminalRecords. A purpose
  may grant it only by citing a legal exception.
  """
  directive @sensitive(category: String!) on FIELD_DEFINITION

  """
  A list whose items each belong to a period: \`by\` names the item field
  holding it, \`unit\` is month, year or academicYear. A purpose's grant may
  limit the list to a window of periods relative to the current one (the
  data holder's date); items outside it never leave the data holder.
  """
  directive @window(by: String!, unit: String!) on FIELD_DEFINITION
`;

/**
 * An amount reduced to a bracket. Shared by the holders that serve brackets,
 * identically (a value type of several subgraphs must be).
 */
export const AMOUNT_BRACKET_SDL = /* GraphQL */ `
  """
  The bracket an amount falls in, among brackets whose bounds the purpose
  declares: with bounds [500, 1000], bracket 0 is below 500, bracket 1 from
  500 to 999, bracket 2 from 1000 up. The amount itself is not disclosed.
  """
  type AmountBracket @shareable {
    "Position of the bracket, from 0 (lowest). Example: 1."
    index: Int!
    "Lowest amount of the bracket, included, in euros; null for the lowest bracket. Example: 500."
    lowerBound: Int
    "Amount where the next bracket starts (excluded), in euros; null for the highest bracket. Example: 1000."
    upperBound: Int
  }
`;

/** An age reduced to a band (civil status). */
export const AGE_BAND_SDL = /* GraphQL */ `
  """
  The age band a person falls in on the data holder's current date, among
  bands whose bounds (in years) the purpose declares: with bounds [18, 25],
  band 0 is under 18, band 1 from 18 to 24, band 2 from 25 up. The birth
  date itself is not disclosed.
  """
  type AgeBand {
    "Position of the band, from 0 (youngest). Example: 1."
    index: Int!
    "Lowest age of the band, included, in whole years; null for the youngest band. Example: 18."
    lowerBound: Int
    "Age where the next band starts (excluded), in whole years; null for the oldest band. Example: 25."
    upperBound: Int
  }
`;

/**
 * Parses a data holder's SDL behind the shared preamble (federation and
 * minimisation links, directive definitions).
 */
export function holderTypeDefs(sdl: string): DocumentNode {
  return parse(HOLDER_SCHEMA_PREAMBLE + sdl);
}
