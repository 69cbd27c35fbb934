/**
 * One `passerelle` subcommand. `run` receives the arguments after the
 * command's name and resolves with the process exit code once the command
 * is done (for `start`: once everything it started has stopped).
 */
export type Command = {
  /** One line for `passerelle --help`. */
  summary: string;
  run(args: readonly string[]): Promise<number>;
};
