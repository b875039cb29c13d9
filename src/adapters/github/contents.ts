/**
 * Reading one text file through the contents API, optionally as a conditional request.
 * Shared by OctokitChangeRequests.readFile and OctokitGrantsSource.
 */
import type { GithubClient } from "./octokit.ts";
import { AppError } from "../../domain/errors.ts";
import { statusOf, toGithubError } from "./errors.ts";

export type FileRead =
  | { kind: "file"; text: string; sha: string; etag: string | null }
  | { kind: "absent" }
  | { kind: "not_modified" };

export interface RepoCoordinates {
  octokit: GithubClient;
  owner: string;
  repo: string;
  now: () => number;
}

/**
 * `GET /repos/{owner}/{repo}/contents/{path}?ref=` decoded from base64. A 404 (no such path or
 * ref) and a directory are `absent`; with `etag`, a 304 is `not_modified`.
 */
export async function readTextFile(at: RepoCoordinates, path: string, ref: string, etag?: string | null): Promise<FileRead> {
  let response;
  try {
    response = await at.octokit.rest.repos.getContent({
      owner: at.owner,
      repo: at.repo,
      path,
      ref,
      ...(etag ? { headers: { "if-none-match": etag } } : {}),
    });
  } catch (err) {
    const status = statusOf(err);
    if (status === 304) return { kind: "not_modified" };
    if (status === 404) return { kind: "absent" };
    throw toGithubError(err, `repos.getContent ${path}@${ref}`, at.now);
  }
  const data = response.data;
  if (Array.isArray(data) || data.type !== "file") return { kind: "absent" };
  if (!("content" in data) || data.encoding !== "base64") {
    // Files over 1 MB come without content; grant files and the catalog are far smaller.
    throw new AppError("target_rejected", `${path} at ${ref} is too large to read through the contents API`);
  }
  const text = Buffer.from(data.content.replace(/\s+/g, ""), "base64").toString("utf8");
  return { kind: "file", text, sha: data.sha, etag: response.headers.etag ?? null };
}
