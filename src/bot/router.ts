/**
 * One entry for every interaction: slash commands (acknowledged first, as the command module says),
 * autocomplete (answered within Discord's 3 s, empty on any failure), buttons and selects, and forms.
 * Every failure goes to the one error renderer.
 */
import type { Interaction } from 'discord.js';

import { deferReply } from './ack.js';
import { handleComponent, handleModal } from './components/handlers.js';
import type { BotCommand, BotContext } from './context.js';
import { replyError, UserFacingError } from './render/error.js';

const AUTOCOMPLETE_BUDGET_MS = 2500;

export function createRouter(commands: ReadonlyMap<string, BotCommand>, ctx: BotContext) {
  return async function route(interaction: Interaction): Promise<void> {
    try {
      if (interaction.isChatInputCommand()) {
        const command = commands.get(interaction.commandName);
        if (!command) throw new UserFacingError(`/${interaction.commandName} is not a command of this version of acejam.`, 'The command list may be out of date; a server manager can run `acejam deploy-commands`.');
        const defer = typeof command.defer === 'function' ? command.defer(interaction) : command.defer;
        if (defer !== 'none') await deferReply(interaction, defer);
        await command.execute(interaction, ctx);
      } else if (interaction.isAutocomplete()) {
        const command = commands.get(interaction.commandName);
        if (!command?.autocomplete) return void (await interaction.respond([]));
        const timer = setTimeout(() => void interaction.respond([]).catch(() => undefined), AUTOCOMPLETE_BUDGET_MS);
        try {
          await command.autocomplete(interaction, ctx);
        } finally {
          clearTimeout(timer);
        }
      } else if (interaction.isMessageComponent()) await handleComponent(interaction, ctx);
      else if (interaction.isModalSubmit()) await handleModal(interaction, ctx);
    } catch (error) {
      await replyError(interaction, error, ctx.logger);
    }
  };
}
