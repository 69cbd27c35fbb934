/**
 * What a request's operation discloses, as the stages that understand it
 * note it down: the operation's type and name, and the schema coordinates
 * it selects and the purpose lets through. Read once the response is
 * known, to build the access record. Coordinates only: never values.
 */
export class Disclosure {
  operationType: 'query' | 'mutation' | 'subscription' | undefined;
  operationName: string | undefined;
  private readonly selected = new Set<string>();

  /** The operation Apollo Server resolved. */
  noteOperation(type: 'query' | 'mutation' | 'subscription', name: string | undefined): void {
    this.operationType = type;
    this.operationName = name;
  }

  /** Coordinates (`Type.field`) the operation selects and the purpose serves. */
  noteCoordinates(coordinates: Iterable<string>): void {
    for (const coordinate of coordinates) this.selected.add(coordinate);
  }

  get coordinates(): readonly string[] {
    return [...this.selected];
  }
}
