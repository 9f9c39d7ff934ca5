import { app } from "./http/app.ts";

export { TokenStateObject } from "./state/token-state.ts";
export { ReplayCacheObject } from "./state/replay-cache.ts";

export default app;
