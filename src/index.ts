import { Hono } from "hono";

export { TokenStateObject } from "./state/token-state.ts";
export { ReplayCacheObject } from "./state/replay-cache.ts";

const app = new Hono();
app.get("/healthz", (c) => c.text("ok"));
export default app;
