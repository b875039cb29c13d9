/**
 * Starts a PostgreSQL server, prints its url as one JSON line and then idles until killed. The
 * harness test kills this process with SIGKILL and checks that the server goes away on its own.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startPostgresServer } from "./postgres-server.ts";

const server = await startPostgresServer();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
for (;;) await sleep(60_000);
