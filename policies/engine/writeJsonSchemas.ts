/**
 * `npm run policy:schema`: regenerates `policies/schema/*.schema.json` from
 * the zod schemas, then formats them with the repository's formatter so that
 * `biome check` accepts them as written. A unit test fails when the
 * committed files no longer match the zod schemas.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_POLICIES_DIR } from './defaultPoliciesDir.js';
import { policyJsonSchemas } from './jsonSchemas.js';

const schemaDir = join(DEFAULT_POLICIES_DIR, 'schema');
mkdirSync(schemaDir, { recursive: true });
const written: string[] = [];
for (const [name, content] of Object.entries(policyJsonSchemas())) {
  const path = join(schemaDir, name);
  writeFileSync(path, content);
  written.push(path);
}
const biome = resolve(DEFAULT_POLICIES_DIR, '../node_modules/.bin/biome');
execFileSync(biome, ['format', '--write', ...written], { stdio: 'inherit' });
for (const path of written) process.stdout.write(`wrote ${path}\n`);
