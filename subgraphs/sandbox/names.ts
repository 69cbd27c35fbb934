/**
 * French given and family names. Internal to the sandbox.
 *
 * Faker's French lists give variety but many of their given names are rare or
 * archaic; most given names therefore come from short lists of names that were
 * common for the person's generation, so that a 1950s-born person is not
 * called Enzo.
 */
import { fr } from '@faker-js/faker';
import type { Rng } from './random.js';

export type Sex = 'F' | 'M';

/** 'Da silva' in the locale becomes 'Da Silva'. */
function capitaliseWords(name: string): string {
  return name.replace(
    /(^|[\s-])(\p{Ll})/gu,
    (_, separator: string, letter: string) => separator + letter.toUpperCase(),
  );
}

const FAMILY_NAMES: readonly string[] = (fr.person?.last_name?.generic ?? []).map(capitaliseWords);
const LOCALE_GIVEN_NAMES: Readonly<Record<Sex, readonly string[]>> = {
  F: fr.person?.first_name?.female ?? [],
  M: fr.person?.first_name?.male ?? [],
};
if (
  FAMILY_NAMES.length === 0 ||
  LOCALE_GIVEN_NAMES.F.length === 0 ||
  LOCALE_GIVEN_NAMES.M.length === 0
) {
  throw new Error('The French name lists of @faker-js/faker are missing.');
}

function words(list: string): readonly string[] {
  return list.split(' ');
}

interface Generation {
  /** Born before this year. */
  readonly bornBefore: number;
  readonly names: Readonly<Record<Sex, readonly string[]>>;
}

const GENERATIONS: readonly Generation[] = [
  {
    bornBefore: 1960,
    names: {
      F: words(
        'Marie Jeanne Monique Françoise Jacqueline Nicole Colette Simone Danielle Michèle Annie Christiane Josette Yvette Odette Geneviève',
      ),
      M: words(
        'Jean Pierre Michel André Jacques Bernard Claude Gérard Daniel René Roger Robert Alain Marcel Henri Guy',
      ),
    },
  },
  {
    bornBefore: 1980,
    names: {
      F: words(
        'Nathalie Isabelle Sylvie Catherine Valérie Sandrine Christine Véronique Stéphanie Patricia Laurence Corinne Martine Brigitte Florence Karine',
      ),
      M: words(
        'Philippe Patrick Thierry Éric Christophe Pascal Laurent Frédéric Stéphane Olivier Didier Dominique Bruno Franck Hervé Karim',
      ),
    },
  },
  {
    bornBefore: 2000,
    names: {
      F: words(
        'Julie Aurélie Émilie Céline Sarah Laura Marion Élodie Camille Mélanie Audrey Pauline Anaïs Manon Caroline Nadia',
      ),
      M: words(
        'Nicolas Julien Sébastien Thomas Guillaume Kévin Maxime Alexandre Romain Anthony Jérémy Mathieu Florian Adrien Vincent Mehdi',
      ),
    },
  },
  {
    bornBefore: Number.POSITIVE_INFINITY,
    names: {
      F: words(
        'Emma Léa Chloé Manon Inès Jade Louise Alice Lina Zoé Léna Clara Anna Rose Ambre Mila Juliette Lucie',
      ),
      M: words(
        'Lucas Hugo Léo Gabriel Louis Nathan Enzo Raphaël Arthur Jules Adam Ethan Mathis Noah Tom Théo Liam Sacha',
      ),
    },
  },
];

function commonNamesFor(birthYear: number, sex: Sex): readonly string[] {
  const generation = GENERATIONS.find((candidate) => birthYear < candidate.bornBefore);
  return (generation ?? (GENERATIONS[GENERATIONS.length - 1] as Generation)).names[sex];
}

export function pickFamilyName(rng: Rng): string {
  return rng.pick(FAMILY_NAMES);
}

/** One to three given names, space separated, the first usually common for the birth year. */
export function pickGivenNames(rng: Rng, sex: Sex, birthYear: number): string {
  const first = rng.chance(0.7)
    ? rng.pick(commonNamesFor(birthYear, sex))
    : rng.pick(LOCALE_GIVEN_NAMES[sex]);
  const roll = rng.float();
  const count = roll < 0.3 ? 1 : roll < 0.85 ? 2 : 3;
  const names = [first];
  while (names.length < count) {
    const next = rng.pick(LOCALE_GIVEN_NAMES[sex]);
    if (!names.includes(next)) names.push(next);
  }
  return names.join(' ');
}

/** The family name list, for checks that a fixed name cannot be generated. */
export function isGeneratedFamilyName(name: string): boolean {
  return FAMILY_NAMES.includes(name);
}
