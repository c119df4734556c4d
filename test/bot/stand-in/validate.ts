/**
 * Field limits Discord enforces on what a bot sends, checked the way the API does: every violation is
 * collected with its field path and answered as one 50035. Limits from `discord/discord-api-docs` @c98d64bc
 * (`message.mdx:603–619` embeds, `components/reference.mdx` components and modals,
 * `application-commands.mdx` command registration), summarised in shared/spec/product.md §1.1 and §1.1b.
 */
import { FormErrorCollector } from './errors.js';

type Json = Record<string, unknown>;
type Path = (string | number)[];

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function maxLength(c: FormErrorCollector, path: Path, value: unknown, max: number, min = 0): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') return c.add(path, 'BASE_TYPE_BAD_STRING', 'Could not interpret value as string.');
  if (value.length > max) c.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  else if (value.length < min) c.add(path, 'BASE_TYPE_MIN_LENGTH', `Must be ${min} or more in length.`);
}

function required(c: FormErrorCollector, path: Path, value: unknown): boolean {
  if (value === undefined || value === null || value === '') {
    c.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return false;
  }
  return true;
}

const ALLOWED_MESSAGE_FLAGS = 4 | 64 | 4096 | 8192 | 32768;
export const EPHEMERAL = 64;
export const LOADING = 128;

/** Embeds (`message.mdx:603–619`): returns nothing; errors go to the collector. */
function validateEmbeds(c: FormErrorCollector, embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) return c.add(['embeds'], 'BASE_TYPE_BAD_ARRAY', 'Must be an array.');
  if (embeds.length > 10) c.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  embeds.forEach((embed: unknown, i) => {
    if (!isObject(embed)) return c.add(['embeds', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const p: Path = ['embeds', i];
    maxLength(c, [...p, 'title'], embed.title, 256);
    maxLength(c, [...p, 'description'], embed.description, 4096);
    total += (str(embed.title)?.length ?? 0) + (str(embed.description)?.length ?? 0);
    if (isObject(embed.footer)) {
      maxLength(c, [...p, 'footer', 'text'], embed.footer.text, 2048);
      total += str(embed.footer.text)?.length ?? 0;
    }
    if (isObject(embed.author)) {
      maxLength(c, [...p, 'author', 'name'], embed.author.name, 256);
      total += str(embed.author.name)?.length ?? 0;
    }
    for (const key of ['image', 'thumbnail'] as const) {
      const media = embed[key];
      if (isObject(media) && !/^(https?|attachment):\/\//.test(str(media.url) ?? ''))
        c.add([...p, key, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    }
    if (embed.url !== undefined && !/^https?:\/\//.test(str(embed.url) ?? ''))
      c.add([...p, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    if (embed.fields !== undefined) {
      if (!Array.isArray(embed.fields)) return c.add([...p, 'fields'], 'BASE_TYPE_BAD_ARRAY', 'Must be an array.');
      if (embed.fields.length > 25) c.add([...p, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      embed.fields.forEach((field: unknown, j) => {
        const fp: Path = [...p, 'fields', j];
        if (!isObject(field)) return c.add(fp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
        if (required(c, [...fp, 'name'], field.name)) maxLength(c, [...fp, 'name'], field.name, 256);
        if (required(c, [...fp, 'value'], field.value)) maxLength(c, [...fp, 'value'], field.value, 1024);
        total += (str(field.name)?.length ?? 0) + (str(field.value)?.length ?? 0);
      });
    }
  });
  if (total > 6000) c.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

function validateButton(c: FormErrorCollector, p: Path, button: Json, ids: Set<string>): void {
  const style = button.style;
  if (typeof style !== 'number' || style < 1 || style > 6) return c.add([...p, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
  maxLength(c, [...p, 'label'], button.label, 80);
  if (button.label === undefined && button.emoji === undefined && style !== 6)
    c.add([...p, 'label'], 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED', 'A label or emoji is required');
  if (style === 5) {
    if (!/^https?:\/\//.test(str(button.url) ?? '')) c.add([...p, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    if (button.custom_id !== undefined) c.add([...p, 'custom_id'], 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED', 'A custom id is not allowed for link buttons');
  } else if (style !== 6) customId(c, [...p, 'custom_id'], button.custom_id, ids);
}

function customId(c: FormErrorCollector, p: Path, value: unknown, ids: Set<string>): void {
  if (!required(c, p, value)) return;
  maxLength(c, p, value, 100, 1);
  if (typeof value === 'string') {
    if (ids.has(value)) c.add(p, 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
    ids.add(value);
  }
}

function validateSelect(c: FormErrorCollector, p: Path, select: Json, ids: Set<string>, inModal: boolean): void {
  customId(c, [...p, 'custom_id'], select.custom_id, ids);
  maxLength(c, [...p, 'placeholder'], select.placeholder, 150);
  if (inModal && select.disabled !== undefined) c.add([...p, 'disabled'], 'COMPONENT_INVALID_IN_MODAL', 'disabled is not allowed in modals');
  if (select.type !== 3) return;
  const options = select.options;
  if (!Array.isArray(options) || options.length === 0 || options.length > 25)
    return c.add([...p, 'options'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
  const values = new Set<string>();
  options.forEach((option: unknown, k) => {
    const op: Path = [...p, 'options', k];
    if (!isObject(option)) return c.add(op, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    if (required(c, [...op, 'label'], option.label)) maxLength(c, [...op, 'label'], option.label, 100, 1);
    if (required(c, [...op, 'value'], option.value)) maxLength(c, [...op, 'value'], option.value, 100, 1);
    maxLength(c, [...op, 'description'], option.description, 100);
    if (typeof option.value === 'string') {
      if (values.has(option.value)) c.add([...op, 'value'], 'SELECT_COMPONENT_OPTION_VALUE_DUPLICATED', 'Option values must be unique');
      values.add(option.value);
    }
  });
  const max = typeof select.max_values === 'number' ? select.max_values : 1;
  if (max > options.length) c.add([...p, 'max_values'], 'BASE_TYPE_MAX', `int value should be less than or equal to ${options.length}.`);
}

/** Legacy components: ≤ 5 action rows, ≤ 5 buttons or one select a row, ids 1–100 chars and unique. */
function validateComponents(c: FormErrorCollector, components: unknown, flags: number): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) return c.add(['components'], 'BASE_TYPE_BAD_ARRAY', 'Must be an array.');
  if (flags & 32768) return; // Components V2 is not used by acejam; accept without checking its (larger) tree.
  if (components.length > 5) c.add(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  const ids = new Set<string>();
  components.forEach((row: unknown, i) => {
    const p: Path = ['components', i];
    if (!isObject(row) || row.type !== 1) return c.add([...p, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
    const children = row.components;
    if (!Array.isArray(children) || children.length === 0 || children.length > 5)
      return c.add([...p, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    const hasSelect = children.some((child) => isObject(child) && [3, 5, 6, 7, 8].includes(child.type as number));
    if (hasSelect && children.length > 1) c.add([...p, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
    children.forEach((child: unknown, j) => {
      const cp: Path = [...p, 'components', j];
      if (!isObject(child)) return c.add(cp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      if (child.type === 2) validateButton(c, cp, child, ids);
      else if ([3, 5, 6, 7, 8].includes(child.type as number)) validateSelect(c, cp, child, ids, false);
      else c.add([...cp, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).');
    });
  });
}

/** A message body (create or edit, channel or webhook or interaction response `data`). */
export function validateMessageBody(body: Json, options: { create: boolean; fileCount: number; allowEphemeral: boolean }): FormErrorCollector {
  const c = new FormErrorCollector();
  maxLength(c, ['content'], body.content, 2000);
  validateEmbeds(c, body.embeds);
  const flags = typeof body.flags === 'number' ? body.flags : 0;
  if (flags & ~ALLOWED_MESSAGE_FLAGS) c.add(['flags'], 'MESSAGE_FLAGS_INVALID', 'Invalid message flags');
  if (flags & EPHEMERAL && !options.allowEphemeral) c.add(['flags'], 'MESSAGE_FLAGS_INVALID', 'Ephemeral is only valid on interaction responses');
  validateComponents(c, body.components, flags);
  if (body.attachments !== undefined && body.attachments !== null) {
    if (!Array.isArray(body.attachments)) c.add(['attachments'], 'BASE_TYPE_BAD_ARRAY', 'Must be an array.');
    else if (body.attachments.length > 10) c.add(['attachments'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  }
  return c;
}

/** A modal (callback type 9): title ≤ 45, 1–5 components, Label ≤ 45 / description ≤ 100, text input ≤ 4000. */
export function validateModal(data: unknown): FormErrorCollector {
  const c = new FormErrorCollector();
  if (!isObject(data)) {
    c.add(['data'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return c;
  }
  if (required(c, ['data', 'title'], data.title)) maxLength(c, ['data', 'title'], data.title, 45, 1);
  const ids = new Set<string>();
  customId(c, ['data', 'custom_id'], data.custom_id, new Set());
  const components = data.components;
  if (!Array.isArray(components) || components.length === 0 || components.length > 5) {
    c.add(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    return c;
  }
  components.forEach((top: unknown, i) => {
    const p: Path = ['data', 'components', i];
    if (!isObject(top)) return c.add(p, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    if (top.type === 10) return maxLength(c, [...p, 'content'], top.content, 4000, 1);
    if (top.type === 1) {
      const children = top.components;
      if (!Array.isArray(children) || children.length !== 1 || !isObject(children[0]) || children[0].type !== 4)
        return c.add([...p, 'components'], 'BASE_TYPE_BAD_LENGTH', 'A modal action row holds exactly one text input');
      const input = children[0];
      if (required(c, [...p, 'components', 0, 'label'], input.label)) maxLength(c, [...p, 'components', 0, 'label'], input.label, 45, 1);
      return validateTextInput(c, [...p, 'components', 0], input, ids);
    }
    if (top.type !== 18) return c.add([...p, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 10, 18).');
    if (required(c, [...p, 'label'], top.label)) maxLength(c, [...p, 'label'], top.label, 45, 1);
    maxLength(c, [...p, 'description'], top.description, 100);
    const inner = top.component;
    if (!isObject(inner)) return c.add([...p, 'component'], 'BASE_TYPE_REQUIRED', 'This field is required');
    if (inner.type === 4) {
      if (inner.label !== undefined) c.add([...p, 'component', 'label'], 'TEXT_INPUT_LABEL_NOT_ALLOWED', 'label is not allowed inside a Label component');
      validateTextInput(c, [...p, 'component'], inner, ids);
    } else if ([3, 5, 6, 7, 8].includes(inner.type as number)) validateSelect(c, [...p, 'component'], inner, ids, true);
    else if (inner.type === 19) customId(c, [...p, 'component', 'custom_id'], inner.custom_id, ids);
    else c.add([...p, 'component', 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (3, 4, 5, 6, 7, 8, 19).');
  });
  return c;
}

function validateTextInput(c: FormErrorCollector, p: Path, input: Json, ids: Set<string>): void {
  customId(c, [...p, 'custom_id'], input.custom_id, ids);
  if (input.style !== 1 && input.style !== 2) c.add([...p, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
  const min = input.min_length;
  const max = input.max_length;
  if (min !== undefined && (typeof min !== 'number' || min < 0 || min > 4000)) c.add([...p, 'min_length'], 'NUMBER_TYPE_MAX', 'int value should be between 0 and 4000.');
  if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 4000)) c.add([...p, 'max_length'], 'NUMBER_TYPE_MAX', 'int value should be between 1 and 4000.');
  maxLength(c, [...p, 'value'], input.value, typeof max === 'number' ? Math.min(max, 4000) : 4000);
  maxLength(c, [...p, 'placeholder'], input.placeholder, 100);
}

/** Autocomplete results (callback type 8): ≤ 25 choices, names 1–100, string values ≤ 100. */
export function validateChoices(data: unknown): FormErrorCollector {
  const c = new FormErrorCollector();
  const choices = isObject(data) ? data.choices : undefined;
  if (!Array.isArray(choices)) {
    c.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return c;
  }
  if (choices.length > 25) c.add(['data', 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  choices.forEach((choice: unknown, i) => {
    if (!isObject(choice)) return c.add(['data', 'choices', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    maxLength(c, ['data', 'choices', i, 'name'], choice.name, 100, 1);
    if (typeof choice.value === 'string') maxLength(c, ['data', 'choices', i, 'value'], choice.value, 100);
  });
  return c;
}

const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Command registration (`application-commands.mdx`): names, descriptions, option order, choices, 8000 chars. */
export function validateCommands(body: unknown): FormErrorCollector {
  const c = new FormErrorCollector();
  if (!Array.isArray(body)) {
    c.add([], 'BASE_TYPE_BAD_ARRAY', 'Must be an array.');
    return c;
  }
  if (body.length > 100) c.add([], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
  const names = new Set<string>();
  body.forEach((command: unknown, i) => {
    if (!isObject(command)) return c.add([i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const name = str(command.name) ?? '';
    if (!COMMAND_NAME.test(name) || name !== name.toLowerCase()) c.add([i, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    if (names.has(name)) c.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    names.add(name);
    if (required(c, [i, 'description'], command.description)) maxLength(c, [i, 'description'], command.description, 100, 1);
    const total = name.length + (str(command.description)?.length ?? 0) + validateOptions(c, [i, 'options'], command.options, 0);
    if (total > 8000) c.add([i], 'APPLICATION_COMMAND_TOO_LARGE', 'Command exceeds maximum size (8000)');
  });
  return c;
}

function validateOptions(c: FormErrorCollector, p: Path, options: unknown, depth: number): number {
  if (options === undefined) return 0;
  if (!Array.isArray(options)) {
    c.add(p, 'BASE_TYPE_BAD_ARRAY', 'Must be an array.');
    return 0;
  }
  if (options.length > 25) c.add(p, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  let size = 0;
  let sawOptional = false;
  const names = new Set<string>();
  options.forEach((option: unknown, i) => {
    const op: Path = [...p, i];
    if (!isObject(option)) return c.add(op, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const name = str(option.name) ?? '';
    if (!COMMAND_NAME.test(name) || name !== name.toLowerCase()) c.add([...op, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    if (names.has(name)) c.add([...op, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option names must be unique');
    names.add(name);
    if (required(c, [...op, 'description'], option.description)) maxLength(c, [...op, 'description'], option.description, 100, 1);
    size += name.length + (str(option.description)?.length ?? 0);
    const type = option.type as number;
    if (typeof type !== 'number' || type < 1 || type > 11) c.add([...op, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1..11}.');
    if (type === 1 || type === 2) {
      if (depth >= (type === 2 ? 1 : 2)) c.add([...op, 'type'], 'APPLICATION_COMMAND_OPTION_INVALID_NESTING', 'Invalid nesting');
      size += validateOptions(c, [...op, 'options'], option.options, depth + 1);
      return;
    }
    if (option.required === true && sawOptional)
      c.add([...op, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    if (option.required !== true) sawOptional = true;
    if (option.choices !== undefined) {
      if (option.autocomplete === true) c.add([...op, 'autocomplete'], 'AUTOCOMPLETE_WITH_CHOICES', 'Autocomplete cannot be set with choices');
      const choices = option.choices;
      if (!Array.isArray(choices) || choices.length > 25) c.add([...op, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      else
        choices.forEach((choice: unknown, k) => {
          if (!isObject(choice)) return;
          maxLength(c, [...op, 'choices', k, 'name'], choice.name, 100, 1);
          if (typeof choice.value === 'string') maxLength(c, [...op, 'choices', k, 'value'], choice.value, 100, 1);
          size += (str(choice.name)?.length ?? 0) + String(choice.value).length;
        });
    }
    for (const key of ['min_length', 'max_length'] as const) {
      const value = option[key];
      if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 6000)) c.add([...op, key], 'NUMBER_TYPE_MAX', 'int value should be between 0 and 6000.');
    }
  });
  return size;
}
