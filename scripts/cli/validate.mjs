// `npm run sts -- validate ...`: see lifecycle.mjs.
import { command } from "./lifecycle.mjs";

export const run = command("Validate");
