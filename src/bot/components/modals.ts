/**
 * The three forms (product.md §2 item 1, §3 item 21): lyrics for /compose (a 4000-character paragraph
 * prefilled with a structure template), Repaint (a lyric-section select, or start/end seconds, plus new
 * tags/lyrics) and Edit (the old tags and lyrics prefilled). Modal limits: title ≤ 45, ≤ 5 Labels (label
 * ≤ 45, description ≤ 100), text inputs ≤ 4000, select options ≤ 25.
 */
import { LabelBuilder, ModalBuilder, StringSelectMenuBuilder, TextInputBuilder, TextInputStyle, type ModalSubmitInteraction } from 'discord.js';

import type { Section, SongView } from '../studio.js';
import { encodeCustomId } from './custom-id.js';
import { clock, truncate } from '../render/format.js';

/** The longest text a modal text input holds, and so the longest lyrics the bot takes. */
export const MODAL_TEXT_MAX = 4000;
export const TAGS_MAX = 1000;

export const LYRICS_TEMPLATE = `[verse]


[chorus]


[verse]


[chorus]


[outro]
`;

const FIELD = { tags: 'tags', lyrics: 'lyrics', section: 'section', start: 'start', end: 'end', mode: 'mode' } as const;

function tagsInput(value: string, required: boolean): TextInputBuilder {
  const input = new TextInputBuilder().setCustomId(FIELD.tags).setStyle(TextInputStyle.Short).setMaxLength(TAGS_MAX).setRequired(required);
  if (value) input.setValue(truncate(value, TAGS_MAX));
  return input.setPlaceholder('genre, mood, instruments, vocals: "lofi, piano, female vocals"');
}

function lyricsInput(value: string, required: boolean): TextInputBuilder {
  const input = new TextInputBuilder().setCustomId(FIELD.lyrics).setStyle(TextInputStyle.Paragraph).setMaxLength(MODAL_TEXT_MAX).setRequired(required);
  if (value && value.length <= MODAL_TEXT_MAX) input.setValue(value);
  return input;
}

export function lyricsModal(options: { tags: string; arg: string }): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(encodeCustomId({ action: 'composem', id: '-', arg: options.arg }))
    .setTitle('Compose: tags and lyrics')
    .addLabelComponents(
      new LabelBuilder().setLabel('Tags').setTextInputComponent(tagsInput(options.tags, true)),
      new LabelBuilder()
        .setLabel('Lyrics')
        .setDescription('Sections in [brackets]: [verse], [chorus], [bridge], [outro]. Up to 4000 characters.')
        .setTextInputComponent(lyricsInput(LYRICS_TEMPLATE, false)),
    );
}

export function repaintModal(song: SongView, sections: Section[]): ModalBuilder {
  const modal = new ModalBuilder().setCustomId(encodeCustomId({ action: 'repaintm', id: song.id })).setTitle(truncate(`Repaint ${song.id}`, 45));
  if (sections.length > 0) {
    const select = new StringSelectMenuBuilder()
      .setCustomId(FIELD.section)
      .setPlaceholder('a lyric section…')
      .setRequired(false)
      .setMinValues(0)
      .setMaxValues(1)
      .addOptions(
        sections.slice(0, 25).map((section) => ({
          label: truncate(section.name, 100),
          value: truncate(section.name, 100),
          description: `${clock(section.start)}–${clock(section.end)}`,
        })),
      );
    modal.addLabelComponents(new LabelBuilder().setLabel('Section').setDescription('Repaint a lyric section, or give start and end below').setStringSelectMenuComponent(select));
  }
  const seconds = (id: string, placeholder: string) => new TextInputBuilder().setCustomId(id).setStyle(TextInputStyle.Short).setRequired(false).setMaxLength(10).setPlaceholder(placeholder);
  modal.addLabelComponents(
    new LabelBuilder().setLabel('Start').setDescription(`Seconds or m:ss (the song is ${clock(song.durationSeconds)})`).setTextInputComponent(seconds(FIELD.start, 'e.g. 12.5 or 0:12')),
    new LabelBuilder().setLabel('End').setDescription('Seconds or m:ss, after the start').setTextInputComponent(seconds(FIELD.end, 'e.g. 24 or 0:24')),
    new LabelBuilder().setLabel('Tags').setDescription('Change them to steer the repainted part').setTextInputComponent(tagsInput(song.tags, false)),
    new LabelBuilder().setLabel('Lyrics').setDescription('The whole song\'s lyrics; change the part you repaint').setTextInputComponent(lyricsInput(song.lyrics, false)),
  );
  return modal;
}

export function editModal(song: SongView, mode: 'only_lyrics' | 'remix' = 'only_lyrics'): ModalBuilder {
  const select = new StringSelectMenuBuilder()
    .setCustomId(FIELD.mode)
    .setMinValues(1)
    .setMaxValues(1)
    .addOptions(
      { label: 'Only the lyrics', value: 'only_lyrics', description: 'Keep the music, sing the new words', default: mode === 'only_lyrics' },
      { label: 'Remix', value: 'remix', description: 'Let the music follow the new tags too', default: mode === 'remix' },
    );
  return new ModalBuilder()
    .setCustomId(encodeCustomId({ action: 'editm', id: song.id }))
    .setTitle(truncate(`Edit ${song.id}`, 45))
    .addLabelComponents(
      new LabelBuilder().setLabel('Mode').setStringSelectMenuComponent(select),
      new LabelBuilder().setLabel('Tags').setTextInputComponent(tagsInput(song.tags, true)),
      new LabelBuilder()
        .setLabel('Lyrics')
        .setDescription(song.lyrics.length > MODAL_TEXT_MAX ? 'The old lyrics are too long to show here; type the new ones' : 'The old lyrics: change what should be sung')
        .setTextInputComponent(lyricsInput(song.lyrics, false)),
    );
}

/** Reads a submitted form's fields by name (missing ones are empty). */
export function formValues(interaction: ModalSubmitInteraction): { text(name: keyof typeof FIELD): string; choice(name: keyof typeof FIELD): string | null } {
  return {
    text(name) {
      try {
        return interaction.fields.getTextInputValue(FIELD[name]);
      } catch {
        return '';
      }
    },
    choice(name) {
      try {
        return interaction.fields.getStringSelectValues(FIELD[name])[0] ?? null;
      } catch {
        return null;
      }
    },
  };
}

/** Lyrics as submitted: the untouched template (only section tags, no sung line) means "no lyrics" (instrumental). */
export function cleanLyrics(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.trimEnd());
  const sung = lines.filter((line) => line.trim() && !/^\s*\[[^\]]*\]\s*$/.test(line));
  if (sung.length === 0) return '';
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
