/** Error codes callers branch on; each is documented where it is thrown. */
export type ErrorCode = 'INVALID_INPUT' | 'PACK_INVALID' | 'PACK_NOT_FOUND' | 'MODEL_ERROR' | 'PROVIDER_UNAVAILABLE';

/** Every error acejam raises on purpose: a code, a message naming the field or file, an optional hint. */
export class AcejamError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** A model pack that is missing, malformed, or does not match its manifest. */
export class PackError extends AcejamError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('PACK_INVALID', message, options);
  }
}
