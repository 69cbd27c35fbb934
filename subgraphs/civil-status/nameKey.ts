/**
 * The form in which names are compared: upper case, accents removed, hyphens
 * and apostrophes as spaces, single spaces. "Lévêque-d'Arc" and "LEVEQUE D ARC"
 * match; "Martin" and "Martine" do not. The generator stores names in this
 * form too, so both sides must use this one function.
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toUpperCase()
    .replace(/[-'’]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
