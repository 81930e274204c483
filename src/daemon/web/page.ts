import type { Plan } from "../../reconcile/plan-types.js";
import type { FleetReport } from "../../status/fleet-schema.js";
import type { HistoryEntry } from "../../state/contract.js";
import type { DaemonStatus } from "../status.js";
import { fleetHtml } from "./fleet-html.js";
import { html, raw, type Html } from "./html.js";
import { driftHtml, healthHtml, historyHtml, planHtml, schedulesHtml } from "./sections-html.js";

/** Everything the page shows, read from the daemon at one moment. Holds no secret. */
export interface PageData {
  status: DaemonStatus;
  fleet?: FleetReport;
  plan?: Plan;
  history: HistoryEntry[];
  now: Date;
}

/** Section ids in page order, with their navigation labels. */
export const SECTIONS = [
  ["fleet", "Fleet"], ["drift", "Drift"], ["plan", "Last plan"], ["schedules", "Schedules"], ["history", "History"], ["health", "Daemon"],
] as const;

/** The inner markup of each section by id: the whole page uses it, and live updates replace sections with it. */
export function sectionFragments(d: PageData): Record<string, string> {
  return {
    fleet: fleetHtml(d.fleet).text,
    drift: driftHtml(d.plan).text,
    plan: planHtml(d.plan).text,
    schedules: schedulesHtml(d.status, d.fleet, d.now).text,
    history: historyHtml(d.history, d.now).text,
    health: healthHtml(d.status, d.now).text,
  };
}

/** The line that says how fresh the page is. */
export function freshness(d: PageData): string {
  return `Updated ${d.now.toISOString().slice(11, 19)} UTC`;
}

/**
 * The status page: semantic sections with headings, a skip link and section navigation, tables
 * with header cells, everything rendered here (it works without JavaScript; /assets/status.js only
 * swaps in the sections the server sends over /events). Stylesheet and script are served by vmsync.
 */
export function pageHtml(d: PageData): string {
  const f = sectionFragments(d);
  const doc: Html = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vmsync · ${d.status.stack}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/status.css">
<script src="/assets/status.js" defer></script>
</head>
<body>
<a class="skip" href="#fleet">Skip to the fleet</a>
<header>
<h1>vmsync <span class="muted">stack ${d.status.stack} · ${d.status.mode} mode</span></h1>
<p id="live" role="status" aria-live="polite">${freshness(d)}</p>
<nav aria-label="Sections"><ul>${SECTIONS.map(([id, label]) => html`<li><a href="#${id}">${label}</a></li>`)}</ul></nav>
</header>
<main>
${SECTIONS.map(([id]) => html`<section id="${id}" aria-labelledby="h-${id}">${raw(f[id]!)}</section>`)}
</main>
<noscript><p class="muted">Live updates need JavaScript; reload the page to refresh.</p></noscript>
</body>
</html>
`;
  return doc.text;
}

/** The page that asks for the token when the daemon requires one and the browser has not given it. */
export function loginHtml(failed: boolean): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>vmsync · sign in</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/status.css"></head>
<body><main class="login">
<h1>vmsync</h1>
<p>This status page needs the daemon's bearer token (<code>--token-file</code> or <code>VMSYNC_WATCH_TOKEN</code>).</p>
${failed ? html`<p class="t-bad" role="alert">That token is not right.</p>` : ""}
<form method="post" action="/login">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</main></body></html>
`.text;
}
