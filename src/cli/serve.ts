/** `grantbot serve` (= `npm start`): run until SIGINT/SIGTERM. */
import type { Command } from "./io.ts";
import { configOrReport } from "./load.ts";
import { startGrantbot } from "../main.ts";

export const serveCommand: Command = async (_args, io) => {
  const config = configOrReport(io);
  if (!config) return 1;
  const running = await startGrantbot(config);
  io.stdout(`grantbot listening on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.stop();
  return 0;
};
