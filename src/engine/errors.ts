/** Error codes callers branch on; each is documented where it is thrown. */
export type ErrorCode =
  | 'INVALID_INPUT' // a request field or user file breaks a documented limit
  | 'PACK_INVALID' // a model pack is malformed or does not match its manifest
  | 'PACK_NOT_FOUND' // no pack at the given path or name
  | 'MODEL_ERROR' // a graph was fed or returned something unexpected
  | 'PROVIDER_UNAVAILABLE' // the configured execution provider cannot run here
  | 'CANCELLED'; // the caller aborted the job

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

/** A request or file the user gave that breaks a rule: the message names the field and the limit. */
export class InvalidInputError extends AcejamError {
  readonly field: string;

  constructor(field: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('INVALID_INPUT', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A job stopped by its AbortSignal, between two steps. */
export class CancelledError extends AcejamError {
  constructor(message = 'cancelled') {
    super('CANCELLED', message);
  }
}
