import { z } from 'zod';
import { purposeFileSchema } from './purposeFileSchema.js';
import { reuserFileSchema } from './reuserFileSchema.js';

/**
 * The JSON Schemas editors use for completion and checking of policy files
 * (through the `# yaml-language-server: $schema=...` comment), generated from
 * the zod schemas the engine validates with, so the two cannot drift.
 * File name (under `policies/schema/`) -> content, as written to disk.
 */
export function policyJsonSchemas(): Record<string, string> {
  return {
    'purpose.schema.json': render(purposeFileSchema, 'passerelle purpose'),
    'reuser.schema.json': render(reuserFileSchema, 'passerelle re-user'),
  };
}

function render(schema: z.ZodType, title: string): string {
  // draft-07: the draft that YAML editors' language servers support best.
  // `input`: what authors write (mode may be omitted), not what is parsed.
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
  return `${JSON.stringify({ ...json, title }, null, 2)}\n`;
}
