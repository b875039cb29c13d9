// Posts the output of a grantbot command as ONE comment on the pull request that triggered the
// workflow, and edits that same comment on every later push instead of adding new ones.
//
// The comment is found again by its first line, a hidden marker: the output's own first line
// when it is an HTML comment (`grantbot diff` starts with `<!-- grantbot-diff -->`), otherwise
// `<!-- grantbot-<command> -->` is put first. Only comments written by a bot (the workflow's
// token) are considered, so a person quoting the marker is never edited.
//
// Environment (set by the action, or by GitHub Actions itself):
//   GRANTBOT_OUTPUT_FILE   the command's output
//   GRANTBOT_COMMENT_MODE  "true" = create or edit; "update" = edit an existing comment only
//   GRANTBOT_COMMAND       names the default marker
//   GRANTBOT_GITHUB_TOKEN  a token with pull-requests: write
//   GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH   as GitHub Actions sets them
//
// No dependencies: plain Node 20 with fetch.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** GitHub refuses comment bodies over 65,536 characters. */
export const MAX_BODY = 65_000;

/** The comment body for `output`: marker first, cut to MAX_BODY. */
export function commentBody(output, command) {
  const first = output.split("\n", 1)[0].trim();
  let body = /^<!--.*-->$/.test(first) ? output : `<!-- grantbot-${command || "output"} -->\n${output}`;
  if (body.length > MAX_BODY) {
    body = `${body.slice(0, MAX_BODY)}\n\n… cut at ${MAX_BODY} characters; the whole output is in the job summary of this workflow run.\n`;
  }
  return body;
}

/** Creates or edits the one comment; returns "created", "updated", "unchanged" or "none". */
export async function upsertComment({ api, repository, pr, token, body, mode }) {
  const marker = body.split("\n", 1)[0].trim();
  const headers = {
    accept: "application/vnd.github+json",
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    "user-agent": "grantbot-action",
    "x-github-api-version": "2022-11-28",
  };
  const call = async (method, path, payload) => {
    const response = await fetch(`${api}${path}`, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) });
    if (!response.ok) {
      const text = await response.text();
      throw Object.assign(new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`), { status: response.status });
    }
    return response.json();
  };
  let previous;
  for (let page = 1; !previous; page += 1) {
    const comments = await call("GET", `/repos/${repository}/issues/${pr}/comments?per_page=100&page=${page}`);
    previous = comments.find((c) => c.user?.type === "Bot" && typeof c.body === "string" && c.body.split("\n", 1)[0].trim() === marker);
    if (comments.length < 100) break;
  }
  if (previous) {
    if (previous.body === body) return "unchanged";
    await call("PATCH", `/repos/${repository}/issues/comments/${previous.id}`, { body });
    return "updated";
  }
  if (mode === "update") return "none";
  await call("POST", `/repos/${repository}/issues/${pr}/comments`, { body });
  return "created";
}

async function main(env) {
  const mode = env.GRANTBOT_COMMENT_MODE;
  if (mode !== "true" && mode !== "update") {
    console.log(`::error::grantbot action: pr-comment must be true, update or false (got "${mode}")`);
    return 2;
  }
  const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
  const pr = event.pull_request?.number;
  if (!pr) {
    console.log("not a pull_request event: no comment");
    return 0;
  }
  const body = commentBody(readFileSync(env.GRANTBOT_OUTPUT_FILE, "utf8"), env.GRANTBOT_COMMAND);
  try {
    const api = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
    const done = await upsertComment({ api, repository: env.GITHUB_REPOSITORY, pr, token: env.GRANTBOT_GITHUB_TOKEN, body, mode });
    console.log(`pull request #${pr}: comment ${done}`);
    return 0;
  } catch (error) {
    if (error.status === 403) {
      // A pull request from a fork gets a read-only token; the output is still in the job summary.
      console.log(`::warning::grantbot action: the token may not comment on #${pr} (${error.message}); the output is in the job summary`);
      return 0;
    }
    console.log(`::error::grantbot action: commenting on #${pr} failed: ${error.message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.env);
}
