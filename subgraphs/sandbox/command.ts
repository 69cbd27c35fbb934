/**
 * Command line: generate the sandbox dataset.
 *
 *   passerelle sandbox generate [--data-dir data] [--seed 42] [--persons 10000]
 *                                 [--as-of YYYY-MM-DD] [--force]
 *
 * Without --force, an existing dataset made from the same inputs is kept.
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DATA_HOLDERS, holderStorePath } from '../kit/index.js';
import { ensureSandboxData, generateSandboxData, type SandboxOptions } from './generate.js';

const USAGE =
  'Usage: passerelle sandbox generate [--data-dir <folder>] [--seed <integer>] [--persons <integer>] [--as-of YYYY-MM-DD] [--force]\n';

function parseInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(parsed))
    throw new RangeError(`--${name} must be an integer, got '${value}'.`);
  return parsed;
}

/** `passerelle sandbox generate`: resolves with the exit code. */
export async function sandboxGenerateCommand(args: readonly string[]): Promise<number> {
  try {
    await generate(args);
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return error instanceof RangeError ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ? 2
      : 1;
  }
}

async function generate(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'data-dir': { type: 'string', default: 'data' },
      seed: { type: 'string' },
      persons: { type: 'string' },
      'as-of': { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const dataDir = values['data-dir'];
  let lastReport = 0;
  const options: SandboxOptions = {
    dataDir,
    seed: parseInteger('seed', values.seed),
    persons: parseInteger('persons', values.persons),
    asOf: values['as-of'],
    onProgress: (written, total) => {
      if (written - lastReport >= 100_000 || written === total) {
        lastReport = written;
        process.stderr.write(
          `  ${written.toLocaleString('en')} / ${total.toLocaleString('en')} persons\n`,
        );
      }
    },
  };
  const started = performance.now();
  const { manifest, generated } = values.force
    ? { manifest: await generateSandboxData(options), generated: true }
    : await ensureSandboxData(options);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${generated ? 'Generated' : 'Already up to date:'} seed ${manifest.seed}, ${manifest.persons} persons ` +
      `(plus the named people), as of ${manifest.asOf}, generator version ${manifest.generatorVersion}` +
      `${generated ? ` in ${seconds} s` : ''}\n`,
  );
  for (const holder of DATA_HOLDERS) {
    const path = holderStorePath(dataDir, holder);
    const mebibytes = (statSync(path).size / 1024 / 1024).toFixed(1);
    process.stdout.write(`  ${path}  ${mebibytes} MiB  sha256 ${manifest.files[holder]}\n`);
  }
}
