/**
 * An input problem with a bundle (cli.md exit code 3): unreadable, corrupt, unsafe, or not
 * matching its manifest. The message is one sentence naming the file or entry.
 */
export class BundleError extends Error {
  readonly exitCode: number = 3;

  constructor(message: string, exitCode = 3) {
    super(message);
    this.name = 'BundleError';
    this.exitCode = exitCode;
  }
}
