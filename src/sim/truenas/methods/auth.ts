/**
 * `auth.*` (reference §2): password, API-key and token logins, `login_ex` (25.04+), logout, `me`.
 * Failed password/key logins answer `false` after `authFailureDelayMs`.
 */
import { randomBytes } from "node:crypto";
import { CallError, ERRNO, Verrors } from "../errors.js";
import type { MethodCtx, MethodTable } from "../registry.js";
import { f, validateTagged, type Fields } from "../schema.js";
import type { Persona } from "../versions.js";
import { sleep } from "../../knobs.js";
import { arity } from "./common.js";

/** The `auth.me` answer for the simulator's admin user. */
export function userInfo(username: string): Record<string, unknown> {
  return {
    pw_name: username,
    pw_gecos: "TrueNAS Admin",
    pw_dir: `/home/${username}`,
    pw_shell: "/usr/bin/zsh",
    pw_uid: 950,
    pw_gid: 950,
    grouplist: [544, 950],
    sid: null,
    source: "LOCAL",
    local: true,
    attributes: {},
    two_factor_config: { secret_configured: false },
    privilege: { roles: { $set: ["FULL_ADMIN"] }, allowlist: [{ method: "*", resource: "*" }], web_shell: true },
    account_attributes: ["LOCAL", "SYS_ADMIN"],
  };
}

function loggedIn(ctx: MethodCtx, username: string, mechanism: string): void {
  ctx.session.auth = { username, at: Date.now(), mechanism };
  ctx.session.expired = false;
}

async function failed(ctx: MethodCtx): Promise<false> {
  if (ctx.sim.settings.authFailureDelayMs > 0) await sleep(ctx.sim.settings.authFailureDelayMs);
  return false;
}

/** Owner of an API key "<id>-<secret>", or null when the key is unknown. */
function apiKeyOwner(ctx: MethodCtx, key: unknown): string | null {
  const c = ctx.sim.world.credentials;
  return typeof key === "string" && key === c.apiKey ? c.username : null;
}

function tokenOwner(ctx: MethodCtx, token: unknown): string | null {
  const t = typeof token === "string" ? ctx.sim.tokens.get(token) : undefined;
  if (!t || t.expires < Date.now()) return null;
  return t.username;
}

const loginOptions = f.dict({ fields: { user_info: f.bool({ default: true }) }, default: { user_info: true } });
const LOGIN_EX: Record<string, Fields> = {
  PASSWORD_PLAIN: { mechanism: f.str({ required: true }), username: f.str({ required: true }), password: f.str({ required: true }), login_options: loginOptions },
  API_KEY_PLAIN: { mechanism: f.str({ required: true }), username: f.str({ required: true }), api_key: f.str({ required: true }), login_options: loginOptions },
  TOKEN_PLAIN: { mechanism: f.str({ required: true }), token: f.str({ required: true }), login_options: loginOptions },
  OTP_TOKEN: { mechanism: f.str({ required: true }), otp_token: f.str({ required: true }), login_options: loginOptions },
};

/** Registers the `auth.*` methods available in `p`. */
export function registerAuth(t: MethodTable, p: Persona): void {
  t.set("auth.login", {
    noAuth: true,
    rateLimited: true,
    call: async (ctx, params) => {
      arity(ctx, params, ["username", "password", "otp_token"], 2);
      const c = ctx.sim.world.credentials;
      if (params[0] === c.username && params[1] === c.password) {
        loggedIn(ctx, c.username, "PASSWORD_PLAIN");
        return true;
      }
      return failed(ctx);
    },
  });
  t.set("auth.login_with_api_key", {
    noAuth: true,
    rateLimited: true,
    call: async (ctx, params) => {
      arity(ctx, params, ["api_key"], 1);
      const owner = apiKeyOwner(ctx, params[0]);
      if (owner) {
        loggedIn(ctx, owner, "API_KEY_PLAIN");
        return true;
      }
      return failed(ctx);
    },
  });
  t.set("auth.login_with_token", {
    noAuth: true,
    rateLimited: true,
    call: (ctx, params) => {
      arity(ctx, params, ["token"], 1);
      const owner = tokenOwner(ctx, params[0]);
      if (!owner) return false;
      ctx.sim.tokens.delete(params[0] as string);
      loggedIn(ctx, owner, "TOKEN_PLAIN");
      return true;
    },
  });
  t.set("auth.generate_token", {
    call: (ctx, params) => {
      const ttl = typeof params[0] === "number" ? params[0] : 600;
      const token = randomBytes(32).toString("base64url");
      ctx.sim.tokens.set(token, { username: ctx.session.auth!.username, expires: Date.now() + ttl * 1000 });
      return token;
    },
  });
  t.set("auth.logout", {
    noAuth: true,
    call: (ctx) => {
      ctx.session.auth = null;
      ctx.session.subs.clear();
      return true;
    },
  });
  t.set("auth.me", { call: (ctx) => userInfo(ctx.session.auth!.username) });
  if (!p.loginEx) return;
  t.set("auth.mechanism_choices", { noAuth: true, call: () => ["PASSWORD_PLAIN", "API_KEY_PLAIN", "TOKEN_PLAIN", "OTP_TOKEN"] });
  t.set("auth.login_ex_continue", {
    noAuth: true,
    rateLimited: true,
    call: () => {
      throw new CallError("No authentication in progress", ERRNO.EINVAL);
    },
  });
  t.set("auth.login_ex", {
    noAuth: true,
    rateLimited: true,
    call: async (ctx, params) => {
      arity(ctx, params, ["login_data"], 1);
      const v = new Verrors();
      const r = validateTagged(params[0], "mechanism", LOGIN_EX, "login_data", v, { pydantic: true });
      v.check();
      const d = r!.value;
      const success = (username: string, mechanism: string) => {
        loggedIn(ctx, username, mechanism);
        const wantInfo = (d.login_options as { user_info: boolean }).user_info;
        return { response_type: "SUCCESS", user_info: wantInfo ? userInfo(username) : null, authenticator: "LEVEL_1" };
      };
      const c = ctx.sim.world.credentials;
      switch (r!.tag) {
        case "PASSWORD_PLAIN":
          if (d.username === c.username && d.password === c.password) return success(c.username, "PASSWORD_PLAIN");
          break;
        case "API_KEY_PLAIN":
          if (apiKeyOwner(ctx, d.api_key) === d.username) return success(c.username, "API_KEY_PLAIN");
          break;
        case "TOKEN_PLAIN": {
          const owner = tokenOwner(ctx, d.token);
          if (owner) {
            ctx.sim.tokens.delete(d.token as string);
            return success(owner, "TOKEN_PLAIN");
          }
          break;
        }
        case "OTP_TOKEN":
          throw new CallError("No authentication in progress", ERRNO.EINVAL);
      }
      await failed(ctx);
      return { response_type: "AUTH_ERR" };
    },
  });
}
