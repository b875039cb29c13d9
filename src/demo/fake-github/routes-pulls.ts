/**
 * Pull requests, reviews, issue comments and labels.
 */
import { HttpError } from "./http-error.ts";
import type { PullRecord } from "./repo-state.ts";
import { paginate, type RouteRequest, type Routes } from "./routing.ts";
import { issueComment, labels, pullFull, pullSimple, review } from "./shapes-pulls.ts";

const REPO = "/repos/{owner}/{repo}";

function numberParam(req: RouteRequest, name: string): number {
  return Number(req.params[name]);
}

/** pulls.list filters and order, as documented for `GET /repos/{owner}/{repo}/pulls`. */
function listPulls(req: RouteRequest): PullRecord[] {
  const q = req.query;
  const state = q["state"] ?? "open";
  let items = [...req.state.pulls.values()].filter((p) => state === "all" || p.state === state);
  if (q["head"] !== undefined) {
    const [owner, ref] = q["head"].includes(":") ? q["head"].split(/:(.*)/s) : [q["head"], undefined];
    items = owner!.toLowerCase() !== req.ctx.owner.toLowerCase() ? [] : items.filter((p) => ref === undefined || p.headRef === ref);
  }
  if (q["base"] !== undefined) items = items.filter((p) => p.baseRef === q["base"]);
  const sort = q["sort"] ?? "created";
  const direction = q["direction"] ?? (sort === "created" ? "desc" : "asc");
  const key = (p: PullRecord) => (sort === "updated" ? p.updatedAt : p.createdAt);
  items.sort((a, b) => (key(a) === key(b) ? a.number - b.number : key(a) < key(b) ? -1 : 1));
  if (direction === "desc") items.reverse();
  return items;
}

export const pullRoutes: Routes = {
  [`POST ${REPO}/pulls`]: (req) => {
    if (req.body.title === undefined) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", field: "title", code: "missing_field" }]);
    const pr = req.state.createPull({
      title: req.body.title,
      body: req.body.body ?? null,
      head: req.body.head,
      base: req.body.base,
      draft: req.body.draft === true,
      user: req.state.botLogin,
    });
    const url = `${req.ctx.api}/repos/${req.ctx.owner}/${req.ctx.repo}/pulls/${pr.number}`;
    return { status: 201, body: pullFull(req.ctx, req.state, pr), headers: { location: url } };
  },

  [`GET ${REPO}/pulls`]: (req) => {
    const page = paginate(req, listPulls(req));
    return { status: 200, body: page.body.map((p) => pullSimple(req.ctx, req.state, p)), headers: page.headers, conditional: true };
  },

  [`GET ${REPO}/pulls/{pull_number}`]: (req) => {
    const pr = req.state.pull(numberParam(req, "pull_number"));
    return { status: 200, body: pullFull(req.ctx, req.state, pr), conditional: true };
  },

  [`PATCH ${REPO}/pulls/{pull_number}`]: (req) => {
    const pr = req.state.pull(numberParam(req, "pull_number"));
    if (req.body.state === "closed") req.state.close(pr.number);
    if (req.body.state === "open" && pr.state === "closed") {
      if (pr.merged) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message: "state cannot be changed. The pull request cannot be reopened." }]);
      Object.assign(pr, { state: "open", closedAt: null, updatedAt: req.state.now() });
    }
    if (typeof req.body.title === "string") pr.title = req.body.title;
    if (typeof req.body.body === "string") pr.body = req.body.body;
    if (req.body.title !== undefined || req.body.body !== undefined) pr.updatedAt = req.state.now();
    return { status: 200, body: pullFull(req.ctx, req.state, pr) };
  },

  [`GET ${REPO}/pulls/{pull_number}/reviews`]: (req) => {
    const number = numberParam(req, "pull_number");
    req.state.pull(number);
    const page = paginate(req, req.state.reviews.get(number) ?? []);
    return { status: 200, body: page.body.map((r) => review(req.ctx, number, r)), headers: page.headers, conditional: true };
  },

  [`POST ${REPO}/issues/{issue_number}/comments`]: (req) => {
    const number = numberParam(req, "issue_number");
    const pr = req.state.pull(number);
    const comment = { id: req.state.id(), login: req.state.botLogin, body: String(req.body.body), createdAt: req.state.now() };
    req.state.comments.set(number, [...(req.state.comments.get(number) ?? []), comment]);
    pr.updatedAt = comment.createdAt;
    return { status: 201, body: issueComment(req.ctx, number, comment) };
  },

  [`POST ${REPO}/issues/{issue_number}/labels`]: (req) => {
    const number = numberParam(req, "issue_number");
    const names = ((req.body?.labels ?? []) as Array<string | { name: string }>).map((l) => (typeof l === "string" ? l : l.name));
    req.state.addLabels(number, names);
    return { status: 200, body: labels(req.ctx, req.state, req.state.pull(number).labels) };
  },
};
