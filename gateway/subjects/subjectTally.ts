/**
 * The distinct persons one request's response carries, as the data holders
 * reported them (`extensions.passerelleSubjects`). Person ids are personal
 * data: the tally is never logged; only its size and subject references are.
 */
export class SubjectTally {
  private readonly personIds = new Set<string>();
  private bound: number | undefined;

  /**
   * Tightens the request's per-request limit: the pre-flight sets the
   * purpose's `enumeration.maxPersons` when the operation lists persons.
   */
  boundBy(maxPersons: number | undefined): void {
    if (maxPersons === undefined) return;
    this.bound = Math.min(this.bound ?? maxPersons, maxPersons);
  }

  /** The bound set by `boundBy`, if any. */
  get maxPersons(): number | undefined {
    return this.bound;
  }

  /** Adds what one subgraph response reported; anything but strings is ignored. */
  add(reported: unknown): void {
    if (!Array.isArray(reported)) return;
    for (const id of reported) if (typeof id === 'string') this.personIds.add(id);
  }

  get size(): number {
    return this.personIds.size;
  }

  ids(): readonly string[] {
    return [...this.personIds];
  }
}
