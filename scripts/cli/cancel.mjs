// `npm run sts -- cancel ...`: see lifecycle.mjs.
import { command } from "./lifecycle.mjs";

export const run = command("Cancel");
