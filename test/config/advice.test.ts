import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/validate.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { configAdvice } from "../../src/config/advice.ts";
import { base } from "./helpers.ts";

describe("advice on a valid production configuration", () => {
  it("says nothing of a configuration with an issuer, served without STS_DEV_MODE", () => {
    const { cfg, env } = base();
    expect(configAdvice(validateConfig(cfg, env), env)).toEqual([]);
  });

  it("names an unset issuer by its field", () => {
    const { cfg, env } = base();
    delete cfg.issuer;
    const advice = configAdvice(validateConfig(cfg, env), env);
    expect(advice.map((a) => a.event)).toEqual(["issuer_unset"]);
    expect(advice[0]!.message).toMatch(/^STS_CONFIG\.issuer is not set: /);
  });

  it("warns of STS_DEV_MODE beside STS_CONFIG, whichever way it is spelt on", () => {
    for (const on of ["1", "true", true]) {
      const { cfg, env } = base();
      const advice = configAdvice(validateConfig(cfg, env), { ...env, STS_DEV_MODE: on });
      expect(advice.map((a) => a.event)).toEqual(["dev_mode_ignored"]);
      expect(advice[0]!.message).toContain("Remove STS_DEV_MODE");
    }
    const { cfg, env } = base();
    expect(configAdvice(validateConfig(cfg, env), { ...env, STS_DEV_MODE: "0" })).toEqual([]);
  });

  it("gives the development configuration none (it is development on purpose, and warned of as such)", () => {
    const dev = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
    expect(configAdvice(dev, { STS_DEV_MODE: "1" })).toEqual([]);
  });
});
