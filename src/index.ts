import { Hono } from "hono";
import { DurableObject } from "cloudflare:workers";

export class TokenStateObject extends DurableObject {}
export class ReplayCacheObject extends DurableObject {}

const app = new Hono();
app.get("/healthz", (c) => c.text("ok"));
export default app;
