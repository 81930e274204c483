#!/usr/bin/env node
// Posts a vmsync plan (markdown) on the current GitLab merge request as ONE note: the first
// pipeline creates it, later pipelines update it in place instead of adding a note per run.
// Copy to ci/gitlab-plan-note.mjs; run as `node ci/gitlab-plan-note.mjs plan.md` in a merge
// request pipeline. Needs Node 20 (fetch) and nothing else.
//
// Environment: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID (set by GitLab), GITLAB_API_TOKEN
// (a project access token with the api scope), and optionally VMSYNC_MANIFESTS (one note per
// manifest folder, so several stacks in one repository each keep their own note).
import { readFile } from "node:fs/promises";

const need = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`gitlab-plan-note: ${name} is not set`);
    process.exit(1);
  }
  return v;
};
const file = process.argv[2];
if (!file) {
  console.error("usage: node gitlab-plan-note.mjs PLAN.md");
  process.exit(1);
}
const api = need("CI_API_V4_URL").replace(/\/+$/, "");
const notes = `${api}/projects/${encodeURIComponent(need("CI_PROJECT_ID"))}/merge_requests/${encodeURIComponent(need("CI_MERGE_REQUEST_IID"))}/notes`;
const headers = { "PRIVATE-TOKEN": need("GITLAB_API_TOKEN"), "Content-Type": "application/json" };
// the marker finds our note again; it is an HTML comment, invisible in the rendered note
const marker = `<!-- vmsync-plan: ${process.env.VMSYNC_MANIFESTS ?? "."} -->`;
const body = `${marker}\n${await readFile(file, "utf8")}`;

async function call(method, url, payload) {
  const res = await fetch(url, { method, headers, ...(payload ? { body: JSON.stringify(payload) } : {}) });
  if (!res.ok) {
    console.error(`gitlab-plan-note: ${method} ${url.replace(api, "")} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    process.exit(1);
  }
  return res;
}

/** Our earlier note, following the pages of the merge request's notes. */
async function findNote() {
  for (let page = "1"; page; ) {
    const res = await call("GET", `${notes}?per_page=100&sort=asc&order_by=created_at&page=${page}`);
    const found = (await res.json()).find((n) => typeof n.body === "string" && n.body.startsWith(marker));
    if (found) return found;
    page = res.headers.get("x-next-page") ?? "";
  }
  return undefined;
}

const existing = await findNote();
if (existing) {
  await call("PUT", `${notes}/${existing.id}`, { body });
  console.log(`gitlab-plan-note: updated note ${existing.id}`);
} else {
  const res = await call("POST", notes, { body });
  console.log(`gitlab-plan-note: created note ${(await res.json()).id}`);
}
