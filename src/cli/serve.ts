/** `grantbot serve` (= `npm start`): run until SIGINT/SIGTERM. */
import type { Command } from "../cli.ts";
import { ConfigError, loadConfig } from "../config/index.ts";
import { startGrantbot } from "../main.ts";

export const serveCommand: Command = async (_args, io) => {
  let config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
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
