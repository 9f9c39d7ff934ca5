// `npm run sts -- renew ...`: see lifecycle.mjs.
import { command } from "./lifecycle.mjs";

export const run = command("Renew");
