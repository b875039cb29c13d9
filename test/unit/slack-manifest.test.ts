import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { App } from "@slack/bolt";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { createSlackApp } from "../../src/adapters/slack/slack-app.ts";
import { EXTRA_BOT_SCOPES, SLACK_METHOD_SCOPES, SLACK_REGISTRATIONS, registerSlackHandlers } from "../../src/adapters/slack/registrations.ts";
import type { SlackHandlerContext } from "../../src/adapters/slack/handler-context.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MANIFEST_PATH = join(ROOT, "src/adapters/slack/manifest.yml");
const manifestText = readFileSync(MANIFEST_PATH, "utf8");

interface Manifest {
  features: { app_home: Record<string, boolean>; slash_commands: { command: string; url?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}
const manifest = parse(manifestText) as Manifest;

/** The `# grantbot-interactivity:` comment block: ids Slack's manifest has no field for. */
function declaredInteractivity(kind: "actions" | "views"): string[] {
  const line = new RegExp(`^#\\s+${kind}:\\s*(.+)$`, "m").exec(manifestText.slice(manifestText.indexOf("# grantbot-interactivity:")));
  return (line?.[1] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** What registerSlackHandlers really registers on a Bolt App (a real one, behind a recording proxy). */
function registered(): Record<"commands" | "actions" | "views" | "events", string[]> {
  const out = { commands: [] as string[], actions: [] as string[], views: [] as string[], events: [] as string[] };
  const slack = createSlackApp({ botToken: "xoxb-manifest-test", signingSecret: "manifest-test-secret", apiUrl: "http://127.0.0.1:9/api/", botId: "B1", botUserId: "U1", log: silentLog, retries: 0 });
  const methods = { command: out.commands, action: out.actions, view: out.views, event: out.events } as const;
  const app = new Proxy(slack.app, {
    get(target, prop) {
      const real = Reflect.get(target, prop, target) as unknown;
      const list = methods[prop as keyof typeof methods];
      if (!list || typeof real !== "function") return real;
      return (id: unknown, ...rest: unknown[]) => {
        list.push(String(id));
        return (real as (...a: unknown[]) => unknown).call(target, id, ...rest);
      };
    },
  }) as App;
  registerSlackHandlers(app, {} as SlackHandlerContext);
  return out;
}

const silentLog = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLog };

/** `client.<ns>.<method>(` calls in the Slack adapter: the Web API methods grantbot uses. */
function webApiMethodsCalled(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".ts")) files.push(full);
    }
  };
  walk(join(ROOT, "src"));
  const found = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, "utf8").matchAll(/client\.([a-z]+)\.([a-zA-Z]+)\(/g)) found.add(`${m[1]}.${m[2]}`);
  }
  return [...found].sort();
}

const sorted = (xs: readonly string[]) => [...xs].sort();

describe("the Slack app manifest", () => {
  it("declares exactly the slash commands the code registers", () => {
    expect(sorted(manifest.features.slash_commands.map((c) => c.command))).toEqual(sorted(SLACK_REGISTRATIONS.commands));
    expect(sorted(registered().commands)).toEqual(sorted(SLACK_REGISTRATIONS.commands));
  });

  it("subscribes to exactly the bot events the code listens to", () => {
    expect(sorted(manifest.settings.event_subscriptions.bot_events)).toEqual(sorted(SLACK_REGISTRATIONS.events));
    expect(sorted(registered().events)).toEqual(sorted(SLACK_REGISTRATIONS.events));
  });

  it("lists exactly the action ids and view callbacks the code handles, with interactivity on", () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(sorted(declaredInteractivity("actions"))).toEqual(sorted(SLACK_REGISTRATIONS.actions));
    expect(sorted(declaredInteractivity("views"))).toEqual(sorted(SLACK_REGISTRATIONS.views));
    const actual = registered();
    expect(sorted(actual.actions)).toEqual(sorted(SLACK_REGISTRATIONS.actions));
    expect(sorted(actual.views)).toEqual(sorted(SLACK_REGISTRATIONS.views));
  });

  it("asks for the bot scopes of the Web API methods grantbot calls, and no more", () => {
    expect(webApiMethodsCalled()).toEqual(sorted(Object.keys(SLACK_METHOD_SCOPES)));
    const needed = new Set([...Object.values(SLACK_METHOD_SCOPES).filter((s): s is string => s !== null), ...EXTRA_BOT_SCOPES]);
    expect(sorted(manifest.oauth_config.scopes.bot)).toEqual(sorted([...needed]));
  });

  it("enables the Home tab and points every request URL at POST /slack/events (HTTP mode by default)", () => {
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    const urls = [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, ...manifest.features.slash_commands.map((c) => c.url)];
    for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
  });
});
