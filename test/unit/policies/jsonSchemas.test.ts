import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES_DIR, policyJsonSchemas } from '../../../policies/engine/index.js';

describe('JSON Schemas for editors', () => {
  // Compared as JSON: the committed files are laid out by the formatter.
  it.each(Object.entries(policyJsonSchemas()))(
    'policies/schema/%s is up to date (run npm run policy:schema)',
    (name, generated) => {
      const committed = readFileSync(join(DEFAULT_POLICIES_DIR, 'schema', name), 'utf8');
      expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
    },
  );

  it.each([
    ['purposes', 'purpose'],
    ['reusers', 'reuser'],
  ])('every file of %s starts with the comment that links its schema', (folder, schema) => {
    const files = readdirSync(join(DEFAULT_POLICIES_DIR, folder)).filter((name) =>
      name.endsWith('.yaml'),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const [firstLine] = readFileSync(join(DEFAULT_POLICIES_DIR, folder, file), 'utf8').split(
        '\n',
      );
      expect(firstLine, file).toBe(
        `# yaml-language-server: $schema=../schema/${schema}.schema.json`,
      );
    }
  });

  it('rejects unknown keys, as the engine does', () => {
    const purpose = JSON.parse(policyJsonSchemas()['purpose.schema.json'] ?? '{}');
    expect(purpose.additionalProperties).toBe(false);
    expect(purpose.properties.grants.additionalProperties.additionalProperties).toBe(false);
    expect(purpose.required).not.toContain('mode');
  });
});
