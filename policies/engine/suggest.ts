import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `input` when it is close enough to be a typo:
 * a case-only difference, or an edit distance of at most 40% of the input's
 * length (the threshold graphql-js uses for its own suggestions). Ties go to
 * the candidate that sorts first, so messages are stable.
 */
export function closestName(input: string, candidates: Iterable<string>): string | undefined {
  const lowered = input.toLowerCase();
  const threshold = Math.max(1, Math.floor(input.length * 0.4));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const candidateDistance = distance(lowered, candidate.toLowerCase());
    const closer =
      candidateDistance < bestDistance ||
      (candidateDistance === bestDistance && best !== undefined && candidate < best);
    if (closer) {
      best = candidate;
      bestDistance = candidateDistance;
    }
  }
  return bestDistance <= threshold ? best : undefined;
}

/** The `suggestion` of a `PolicyProblem`, or undefined when nothing is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const closest = closestName(input, candidates);
  return closest === undefined ? undefined : `did you mean ${closest}?`;
}
