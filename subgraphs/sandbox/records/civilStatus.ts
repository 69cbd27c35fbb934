/** What the civil-status holder records about each person of a household. Internal to the sandbox. */

import { nameKey } from '../../civil-status/index.js';
import { maxDate } from '../calendar.js';
import type { Household, Person } from '../household.js';

export interface PersonRecord {
  readonly personId: string;
  readonly familyName: string;
  readonly givenNames: string;
  readonly familyNameKey: string;
  readonly givenNamesKey: string;
  readonly sex: 'F' | 'M';
  readonly birthDate: string;
  readonly birthPlaceCode: string;
  readonly addressLine: string;
  readonly addressCommuneCode: string;
  readonly addressSince: string;
  readonly updatedOn: string;
}

// The `*_key` columns hold names in the civil-status holder's matching form, so that a
// lookup normalising its input with the same function finds them. Generated names are
// made of a few hundred distinct words: normalising each word once is much cheaper than
// normalising every name, and gives the same key since keys join words with one space.
const wordKeys = new Map<string, string>();

function generatedNameKey(name: string): string {
  let key = '';
  for (const word of name.split(' ')) {
    let wordKey = wordKeys.get(word);
    if (wordKey === undefined) {
      wordKey = nameKey(word);
      wordKeys.set(word, wordKey);
    }
    key = key === '' ? wordKey : `${key} ${wordKey}`;
  }
  return key;
}

export function civilStatusRecords(household: Household): PersonRecord[] {
  const members: readonly Person[] = [...household.adults, ...household.children];
  return members.map((person) => {
    // A child born after the move has lived at the address since birth.
    const addressSince = maxDate(household.address.since, person.birthDate);
    return {
      personId: person.personId,
      familyName: person.familyName,
      givenNames: person.givenNames,
      familyNameKey: generatedNameKey(person.familyName),
      givenNamesKey: generatedNameKey(person.givenNames),
      sex: person.sex,
      birthDate: person.birthDate,
      birthPlaceCode: person.birthPlaceCode,
      addressLine: household.address.line,
      addressCommuneCode: household.address.communeCode,
      addressSince,
      updatedOn: addressSince,
    };
  });
}
