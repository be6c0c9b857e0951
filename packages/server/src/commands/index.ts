/** Commands that parse their own flags, dispatched by cli.ts before the server's option parsing. */
import { configCommand } from "./config.js";
import { installAddonCommand } from "./install-addon.js";

export const OWN_COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  config: configCommand,
  "install-addon": installAddonCommand,
};
