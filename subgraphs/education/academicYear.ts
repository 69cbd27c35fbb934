/** The academic year (September to August) a date falls in, written 'YYYY-YYYY'. */
export function academicYearOf(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const startYear = month >= 9 ? year : year - 1;
  return `${startYear}-${startYear + 1}`;
}
