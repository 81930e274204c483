/**
 * The status page's stylesheet and script, served by vmsync itself (no framework, no CDN: the page
 * works offline). Colours meet WCAG AA contrast in light and dark schemes and are never the only
 * signal; narrow screens stack table rows into labelled cards; focus is always visible.
 */
export const STATUS_CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --ok: #116329; --warn: #7d4e00; --bad: #b3261e; --info: #0a5ca8; --head: #f6f8fa; --focus: #0a5ca8; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --ok: #56d364; --warn: #e3b341; --bad: #ff7b72; --info: #79c0ff; --head: #161b22; --focus: #79c0ff; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main { max-width: 90rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; margin: 1rem 0 .25rem; } h1 .muted { font-size: 1rem; font-weight: normal; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
a { color: var(--info); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: .5rem; background: var(--bg); padding: .5rem; z-index: 1; }
.skip:focus { left: .5rem; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; margin: .5rem 0; }
nav a { display: inline-block; padding: .25rem 0; }
#live { margin: 0; color: var(--muted); font-size: .9rem; }
.muted { color: var(--muted); }
.t-ok { color: var(--ok); } .t-warn { color: var(--warn); } .t-bad { color: var(--bad); } .t-info { color: var(--info); } .t-dim { color: var(--muted); }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { text-align: left; padding: .5rem .75rem; color: var(--muted); caption-side: top; }
th, td { text-align: left; padding: .4rem .75rem; border-top: 1px solid var(--line); vertical-align: top; white-space: nowrap; }
thead th { background: var(--head); border-top: 0; font-weight: 600; }
tbody th { font-weight: 600; }
td ul { margin: .25rem 0 0; padding-left: 1.1rem; white-space: normal; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
pre.plan { background: var(--head); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; }
.p-add { color: var(--ok); } .p-change { color: var(--warn); } .p-del, .p-warn { color: var(--bad); } .p-replace { color: var(--info); } .p-comment { color: var(--muted); }
.summary { font-weight: 600; }
.problems { padding-left: 1.2rem; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .5rem 1.5rem; margin: 0; }
.facts div { border-left: 3px solid var(--line); padding-left: .5rem; }
.facts dt { color: var(--muted); font-size: .8rem; } .facts dd { margin: 0; }
.login { max-width: 24rem; margin-top: 3rem; }
.login label { display: block; margin: 1rem 0 .25rem; }
.login input, .login button { font: inherit; padding: .5rem; width: 100%; }
.login button { margin-top: .75rem; }
@media (max-width: 700px) {
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack, table.stack tbody { display: block; width: 100%; }
  table.stack caption { display: block; }
  table.stack td:empty { display: none; }
  table.stack tr { display: block; border-top: 1px solid var(--line); padding: .4rem 0; }
  table.stack th, table.stack td { display: flex; gap: .75rem; border: 0; padding: .15rem .75rem; white-space: normal; overflow-wrap: anywhere; min-width: 0; }
  caption, h1, p, li { overflow-wrap: anywhere; }
  table.stack th[data-label]::before, table.stack td[data-label]::before { content: attr(data-label); flex: 0 0 6.5rem; color: var(--muted); font-weight: normal; }
  .scroll { overflow-x: visible; }
}
`;

/**
 * Live updates: the server sends every section's markup (rendered and escaped server-side) as one
 * `update` event on /events; the script swaps the sections in, keeps focus where it was, and says
 * how fresh the page is in a polite live region. EventSource reconnects by itself.
 */
export const STATUS_JS = `"use strict";
(function () {
  var live = document.getElementById("live");
  if (!window.EventSource || !live) return;
  var events = new EventSource("/events");
  events.addEventListener("update", function (e) {
    var data = JSON.parse(e.data);
    var focused = document.activeElement && document.activeElement.id;
    Object.keys(data.sections).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.innerHTML !== data.sections[id]) el.innerHTML = data.sections[id];
    });
    if (focused && document.activeElement === document.body) {
      var again = document.getElementById(focused);
      if (again) again.focus();
    }
    live.textContent = data.freshness + " · live";
    document.body.setAttribute("data-version", String(data.version));
  });
  events.addEventListener("error", function () { live.textContent = "Connection lost; reconnecting…"; });
})();
`;
