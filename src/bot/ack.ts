/**
 * How each interaction was acknowledged, so later replies take the right route: a type-5 defer (ephemeral
 * or public loading message), a type-6 deferred update (a button's message stays as it is), a modal, or a
 * direct reply. Every interaction is acknowledged first thing (Discord's 3 s budget, product.md §1.1).
 */
import { MessageFlags, type BaseInteraction, type MessageComponentInteraction, type ModalSubmitInteraction, type RepliableInteraction } from 'discord.js';

export type AckKind = 'ephemeral' | 'public' | 'update' | 'modal' | 'replied';

const kinds = new WeakMap<BaseInteraction, AckKind>();

export function ackKind(interaction: BaseInteraction): AckKind | null {
  return kinds.get(interaction) ?? null;
}

export function markAck(interaction: BaseInteraction, kind: AckKind): void {
  kinds.set(interaction, kind);
}

/** Type 5: a loading message, ephemeral (only the user sees it) or public. */
export async function deferReply(interaction: RepliableInteraction, visibility: 'ephemeral' | 'public'): Promise<void> {
  await interaction.deferReply(visibility === 'ephemeral' ? { flags: MessageFlags.Ephemeral } : {});
  markAck(interaction, visibility);
}

/** Type 6: for buttons and forms opened from a message; the message stays until the bot edits it. */
export async function deferUpdate(interaction: MessageComponentInteraction | ModalSubmitInteraction): Promise<void> {
  await interaction.deferUpdate();
  markAck(interaction, 'update');
}
