/**
 * The part of GitHub's REST API the grantbot action's pr-comment.mjs uses — list, create and edit
 * issue comments — on 127.0.0.1, keeping the comments and the calls made.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: "Bot" | "User" };
}

export class FakeIssueComments {
  readonly calls: { method: string; path: string }[] = [];
  /** Answer writes as GitHub does for a read-only token (a pull request from a fork). */
  readOnly = false;
  private readonly comments = new Map<number, Comment[]>();
  private nextId = 1000;

  private server: Server | undefined;
  url = "";

  static async start(): Promise<FakeIssueComments> {
    const fake = new FakeIssueComments();
    const server = createServer((req, res) => {
      void fake.handle(req).then(({ status, body }) => {
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    fake.server = server;
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  addHumanComment(pr: number, body: string): void {
    this.list(pr).push({ id: this.nextId++, body, user: { login: "carol-gh", type: "User" } });
  }

  botComments(pr: number): string[] {
    return this.list(pr).filter((c) => c.user.type === "Bot").map((c) => c.body);
  }

  humanComments(pr: number): string[] {
    return this.list(pr).filter((c) => c.user.type === "User").map((c) => c.body);
  }

  private list(pr: number): Comment[] {
    if (!this.comments.has(pr)) this.comments.set(pr, []);
    return this.comments.get(pr)!;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? "/", this.url);
    this.calls.push({ method: req.method ?? "", path: url.pathname });
    if (req.headers.authorization !== "Bearer fake-workflow-token") return { status: 401, body: { message: "Bad credentials" } };
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const list = /^\/repos\/acme\/grants\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const one = /^\/repos\/acme\/grants\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (list && req.method === "GET") {
      const page = Number(url.searchParams.get("page") ?? 1);
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      return { status: 200, body: this.list(Number(list[1])).slice((page - 1) * perPage, page * perPage) };
    }
    if (this.readOnly && req.method !== "GET") return { status: 403, body: { message: "Resource not accessible by integration" } };
    if (list && req.method === "POST") {
      const comment: Comment = { id: this.nextId++, body: (JSON.parse(raw) as { body: string }).body, user: { login: "github-actions[bot]", type: "Bot" } };
      this.list(Number(list[1])).push(comment);
      return { status: 201, body: comment };
    }
    if (one && req.method === "PATCH") {
      const comment = [...this.comments.values()].flat().find((c) => c.id === Number(one[1]));
      if (!comment) return { status: 404, body: { message: "Not Found" } };
      if (comment.user.type !== "Bot") return { status: 403, body: { message: "Resource not accessible by integration" } };
      comment.body = (JSON.parse(raw) as { body: string }).body;
      return { status: 200, body: comment };
    }
    return { status: 404, body: { message: "Not Found" } };
  }
}
