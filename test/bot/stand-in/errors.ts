/**
 * Discord's JSON error bodies, as `discord/discord-api-docs` `reference.mdx` ("Error Messages") shows them:
 * `{ code, message }`, and for 50035 `{ code, message, errors }` where `errors` mirrors the request body with an
 * `_errors` list at each invalid field.
 */

/** An error the stand-in answers with: an HTTP status and Discord's JSON body. */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code: number; message: string; errors?: FormErrors },
  ) {
    super(`${status} ${body.code}: ${body.message}`);
  }
}

/** The nested `errors` object of a 50035: `{ content: { _errors: [{ code, message }] } }`. */
export interface FormErrors {
  [key: string]: FormErrors | { code: string; message: string }[] | undefined;
  _errors?: { code: string; message: string }[];
}

/** Collects field errors while a payload is checked, then becomes a 50035. */
export class FormErrorCollector {
  readonly errors: FormErrors = {};
  count = 0;

  add(path: readonly (string | number)[], code: string, message: string): void {
    let node: FormErrors = this.errors;
    for (const key of path) {
      const existing = node[String(key)];
      if (existing === undefined || Array.isArray(existing)) node[String(key)] = {};
      node = node[String(key)] as FormErrors;
    }
    (node._errors ??= []).push({ code, message });
    this.count += 1;
  }

  throwIfAny(): void {
    if (this.count > 0) throw new DiscordHttpError(400, { code: 50035, message: 'Invalid Form Body', errors: this.errors });
  }
}

export const unknownInteraction = () => new DiscordHttpError(404, { code: 10062, message: 'Unknown interaction' });
export const alreadyAcknowledged = () =>
  new DiscordHttpError(400, { code: 40060, message: 'Interaction has already been acknowledged.' });
export const invalidWebhookToken = () => new DiscordHttpError(401, { code: 50027, message: 'Invalid Webhook Token' });
export const unknownWebhook = () => new DiscordHttpError(404, { code: 10015, message: 'Unknown Webhook' });
export const unknownMessage = () => new DiscordHttpError(404, { code: 10008, message: 'Unknown Message' });
export const unknownChannel = () => new DiscordHttpError(404, { code: 10003, message: 'Unknown Channel' });
export const missingAccess = () => new DiscordHttpError(403, { code: 50001, message: 'Missing Access' });
export const emptyMessage = () => new DiscordHttpError(400, { code: 50006, message: 'Cannot send an empty message' });
export const fileTooLarge = () => new DiscordHttpError(413, { code: 40005, message: 'Request entity too large' });
export const unauthorized = () => new DiscordHttpError(401, { code: 0, message: '401: Unauthorized' });
export const notFound = () => new DiscordHttpError(404, { code: 0, message: '404: Not Found' });
export const cannotEditOthers = () =>
  new DiscordHttpError(403, { code: 50005, message: 'Cannot edit a message authored by another user' });
