import { basename } from 'node:path';
import type { PolicyProblem, Purpose, Reuser } from './model.js';
import { didYouMean } from './suggest.js';
import type { YamlSource } from './yamlSource.js';

/** A policy file whose content passed its schema. */
export type ParsedPolicy<T> = { source: YamlSource; value: T };

/**
 * Checks that span several keys of a file or several files: file names and
 * ids, date ranges, and re-users' references to purposes.
 */
export function checkAcrossFiles(
  purposes: readonly ParsedPolicy<Purpose>[],
  reusers: readonly ParsedPolicy<Reuser>[],
  /** Ids of purpose files that exist but did not validate: their own errors say why. */
  invalidPurposeIds: ReadonlySet<string>,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const report = (
    source: YamlSource,
    path: (string | number)[],
    message: string,
    suggestion?: string,
  ) =>
    problems.push({
      file: source.file,
      ...source.locate(path),
      path: path.join('.'),
      message,
      ...(suggestion === undefined ? {} : { suggestion }),
    });

  for (const { source, value } of [...purposes, ...reusers]) {
    const expected = `${value.id}.yaml`;
    if (basename(source.file) !== expected) {
      report(
        source,
        ['id'],
        `the file must be named after its id: rename it ${expected}, or change the id`,
      );
    }
  }
  reportDuplicateIds(purposes, 'purpose', report);
  reportDuplicateIds(reusers, 're-user', report);

  for (const { source, value } of purposes) {
    if (value.validFrom > value.validUntil) {
      report(
        source,
        ['validUntil'],
        `validUntil ${value.validUntil} is before validFrom ${value.validFrom}`,
      );
    }
  }

  const purposeById = new Map(purposes.map(({ value }) => [value.id, value]));
  for (const { source, value: reuser } of reusers) {
    const seen = new Set<string>();
    reuser.purposes.forEach((grant, index) => {
      const at = ['purposes', index];
      if (seen.has(grant.purpose)) {
        report(source, [...at, 'purpose'], `purpose ${grant.purpose} is listed twice`);
      }
      seen.add(grant.purpose);
      if (grant.validFrom > grant.validUntil) {
        report(
          source,
          [...at, 'validUntil'],
          `validUntil ${grant.validUntil} is before validFrom ${grant.validFrom}`,
        );
      }
      const purpose = purposeById.get(grant.purpose);
      if (purpose === undefined) {
        if (invalidPurposeIds.has(grant.purpose)) return;
        report(
          source,
          [...at, 'purpose'],
          `unknown purpose ${grant.purpose}: no policies/purposes/${grant.purpose}.yaml`,
          didYouMean(grant.purpose, purposeById.keys()),
        );
        return;
      }
      if (grant.validFrom < purpose.validFrom) {
        report(
          source,
          [...at, 'validFrom'],
          `validFrom ${grant.validFrom} is before purpose ${purpose.id} starts (${purpose.validFrom})`,
        );
      }
      if (grant.validUntil > purpose.validUntil) {
        report(
          source,
          [...at, 'validUntil'],
          `validUntil ${grant.validUntil} is after purpose ${purpose.id} ends (${purpose.validUntil})`,
        );
      }
    });
  }
  return problems;
}

function reportDuplicateIds(
  policies: readonly ParsedPolicy<{ id: string }>[],
  kind: string,
  report: (source: YamlSource, path: string[], message: string) => void,
): void {
  const firstFile = new Map<string, string>();
  for (const { source, value } of policies) {
    const first = firstFile.get(value.id);
    if (first === undefined) {
      firstFile.set(value.id, source.file);
      continue;
    }
    report(source, ['id'], `${kind} id ${value.id} is already used by ${first}`);
  }
}
