/**
 * Runs one job of a GitHub Actions workflow on this machine, the way the runner would, for the
 * subset of workflow syntax grantbot's workflows use: `run:` steps go to
 * `bash --noprofile --norc -eo pipefail` with GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, `if:`
 * and `${{ }}` are evaluated (contexts github, runner, steps, inputs; `==`, `!=`, literals), and
 * the grantbot composite action (`<owner>/grantbot/.github/actions/grantbot@<ref>` or
 * `./.github/actions/grantbot`) runs its own steps from `actionPath`. actions/checkout,
 * actions/setup-node and actions/cache are no-ops: the workspace is already the checkout, and
 * node is the one running the tests. Anything else (another action, an unknown key, an
 * expression it cannot evaluate) throws, so the workflows cannot outgrow what the tests run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

const step = z.strictObject({
  name: z.string().optional(), id: z.string().optional(), if: z.string().optional(),
  uses: z.string().optional(), with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  run: z.string().optional(), shell: z.literal("bash").optional(), env: z.record(z.string(), z.string()).optional(),
  "working-directory": z.string().optional(),
});
const job = z.object({ name: z.string().optional(), if: z.string().optional(), permissions: z.record(z.string(), z.string()).optional(), steps: z.array(step) });
export const workflowSchema = z.object({
  name: z.string(), on: z.record(z.string(), z.unknown()), permissions: z.record(z.string(), z.string()).optional(),
  /** The runner runs every script as `shell: bash` does; a workflow saying otherwise is refused. */
  defaults: z.object({ run: z.object({ shell: z.literal("bash") }) }).optional(),
  jobs: z.record(z.string(), job),
});
export const actionSchema = z.object({
  inputs: z.record(z.string(), z.object({ description: z.string(), required: z.boolean().optional(), default: z.string().optional() })),
  outputs: z.record(z.string(), z.object({ description: z.string(), value: z.string() })).optional(),
  runs: z.object({ using: z.literal("composite"), steps: z.array(step) }),
});
export type Workflow = z.infer<typeof workflowSchema>;
type Step = z.infer<typeof step>;

export const GRANTBOT_ACTION_RE = /^(?:[A-Za-z0-9-]+\/grantbot\/\.github\/actions\/grantbot@[\w.-]+|\.\/\.github\/actions\/grantbot)$/;

export interface RunOptions {
  workspace: string;
  eventName: "pull_request" | "push" | "merge_group";
  /** The event payload (GITHUB_EVENT_PATH). */
  event: Record<string, unknown>;
  /** The grantbot action's directory (its repository root is three levels up). */
  actionPath: string;
  /** Added to every step's environment (PATH, GITHUB_API_URL, ...). */
  env: Record<string, string>;
}

export interface StepRun {
  name: string;
  ran: boolean;
  status: number;
  output: string;
  outputs: Record<string, string>;
}

export interface JobRun {
  ran: boolean;
  ok: boolean;
  steps: StepRun[];
  summary: string;
  output: string;
}

type Contexts = { github: Record<string, string>; runner: Record<string, string>; steps: Record<string, { outputs: Record<string, string> }>; inputs: Record<string, string> };

export function readWorkflow(path: string): Workflow {
  return workflowSchema.parse(parse(readFileSync(path, "utf8")));
}

export async function runJob(workflow: Workflow, jobId: string, options: RunOptions): Promise<JobRun> {
  const spec = workflow.jobs[jobId];
  if (!spec) throw new Error(`no job ${jobId}`);
  const tmp = mkdtempSync(join(options.workspace, "..", "runner-"));
  const eventPath = join(tmp, "event.json");
  writeFileSync(eventPath, JSON.stringify(options.event));
  const summaryPath = join(tmp, "summary.md");
  writeFileSync(summaryPath, "");
  const github = { event_name: options.eventName, token: "fake-workflow-token", workspace: options.workspace };
  const base: Record<string, string> = {
    ...options.env, GITHUB_WORKSPACE: options.workspace, GITHUB_EVENT_NAME: options.eventName, GITHUB_EVENT_PATH: eventPath,
    GITHUB_STEP_SUMMARY: summaryPath, RUNNER_TEMP: tmp, RUNNER_OS: "Linux", CI: "true",
  };
  const ctx: Contexts = { github, runner: { os: "Linux", temp: tmp }, steps: {}, inputs: {} };
  if (spec.if !== undefined && !truthy(evaluate(spec.if, ctx))) return { ran: false, ok: true, steps: [], summary: "", output: "" };
  const steps = await runSteps(spec.steps, ctx, base, options, tmp);
  return { ran: true, ok: steps.every((s) => s.status === 0), steps, summary: readFileSync(summaryPath, "utf8"), output: steps.map((s) => s.output).join("") };
}

async function runSteps(steps: readonly Step[], ctx: Contexts, env: Record<string, string>, options: RunOptions, tmp: string): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  for (const [index, s] of steps.entries()) {
    const name = s.name ?? s.uses ?? s.run?.split("\n")[0] ?? `step ${index}`;
    const failed = runs.some((r) => r.status !== 0);
    if (failed || (s.if !== undefined && !truthy(evaluate(s.if, ctx)))) {
      runs.push({ name, ran: false, status: 0, output: "", outputs: {} });
      continue;
    }
    const stepEnv = { ...env, ...mapValues(s.env ?? {}, (v) => interpolate(v, ctx)) };
    const cwd = resolve(options.workspace, interpolate(s["working-directory"] ?? ".", ctx));
    let result: StepRun;
    if (s.run !== undefined) {
      result = await bash(name, s.run, stepEnv, cwd, tmp, index);
    } else if (s.uses && GRANTBOT_ACTION_RE.test(s.uses)) {
      result = await runGrantbotAction(name, mapValues(s.with ?? {}, (v) => interpolate(String(v), ctx)), ctx, env, options, tmp);
    } else if (s.uses && /^actions\/(checkout|setup-node|cache)@v\d+$/.test(s.uses)) {
      result = { name, ran: true, status: 0, output: "", outputs: {} };
    } else {
      throw new Error(`the workflow runner does not know ${s.uses ?? "this step"}`);
    }
    if (s.id) ctx.steps[s.id] = { outputs: result.outputs };
    runs.push(result);
  }
  return runs;
}

async function runGrantbotAction(name: string, given: Record<string, string>, outer: Contexts, env: Record<string, string>, options: RunOptions, tmp: string): Promise<StepRun> {
  const action = actionSchema.parse(parse(readFileSync(join(options.actionPath, "action.yml"), "utf8")));
  const unknown = Object.keys(given).filter((k) => !(k in action.inputs));
  if (unknown.length) throw new Error(`the grantbot action has no input ${unknown.join(", ")}`);
  const inputs = mapValues(action.inputs, (spec, key) => given[key] ?? interpolate(spec.default ?? "", outer));
  for (const [key, spec] of Object.entries(action.inputs)) if (spec.required && !given[key]) throw new Error(`the grantbot action needs input ${key}`);
  const ctx: Contexts = { ...outer, steps: {}, inputs };
  const steps = await runSteps(action.runs.steps, ctx, { ...env, GITHUB_ACTION_PATH: options.actionPath }, options, tmp);
  const outputs = mapValues(action.outputs ?? {}, (o) => interpolate(o.value, ctx));
  return { name, ran: true, status: steps.find((s) => s.status !== 0)?.status ?? 0, output: steps.map((s) => s.output).join(""), outputs };
}

/** Runs a `run:` script as the runner does; asynchronously, so local fakes in this process can answer it. */
async function bash(name: string, script: string, env: Record<string, string>, cwd: string, tmp: string, index: number): Promise<StepRun> {
  const outputPath = join(tmp, `output-${index}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(outputPath, "");
  const scriptPath = `${outputPath}.sh`;
  writeFileSync(scriptPath, script);
  const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", scriptPath], { cwd, env: { ...env, GITHUB_OUTPUT: outputPath }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => void (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (output += chunk));
  const status = await new Promise<number>((done, fail) => {
    child.once("error", fail);
    child.once("close", (code) => done(code ?? 1));
  });
  return { name, ran: true, status, output, outputs: parseOutputs(readFileSync(outputPath, "utf8")) };
}

/** `name=value` lines and `name<<DELIM` ... `DELIM` blocks, as GITHUB_OUTPUT holds them. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

function interpolate(text: string, ctx: Contexts): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_m, expr: string) => evaluate(expr, ctx));
}

function evaluate(expression: string, ctx: Contexts): string {
  const expr = expression.trim().replace(/^\$\{\{(.*)\}\}$/, "$1").trim();
  const comparison = /^(\S+)\s*(==|!=)\s*'([^']*)'$/.exec(expr);
  if (comparison) {
    const equal = lookup(comparison[1]!, ctx) === comparison[3];
    return String(comparison[2] === "==" ? equal : !equal);
  }
  const literal = /^'([^']*)'$/.exec(expr);
  return literal ? literal[1]! : lookup(expr, ctx);
}

function lookup(path: string, ctx: Contexts): string {
  const [head, ...rest] = path.split(".");
  if (head === "steps" && rest[1] === "outputs" && rest.length === 3) return ctx.steps[rest[0]!]?.outputs[rest[2]!] ?? "";
  const table = head === "github" ? ctx.github : head === "runner" ? ctx.runner : head === "inputs" ? ctx.inputs : undefined;
  const value = table && rest.length === 1 ? table[rest[0]!] : undefined;
  if (value === undefined) throw new Error(`the workflow runner cannot evaluate ${path}`);
  return value;
}

function truthy(value: string): boolean {
  return value !== "" && value !== "false" && value !== "0";
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T, key: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v, k)]));
}
