// A user error: bad input or usage. The CLI prints its message on one line and exits with its
// code (2 unless said otherwise); it never shows a stack trace.
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
