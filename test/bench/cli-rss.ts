/**
 * Runs `grantbot <args>` (src/cli.ts) in this process and reports its peak RSS and CPU time on
 * stderr as `maxRSS=<bytes> cpuMs=<user+system ms>` (CPU time stays meaningful on a busy machine,
 * where wall time does not).
 */
import { main, processIO } from "../../src/cli.ts";

const code = await main(process.argv.slice(2), processIO());
const usage = process.resourceUsage();
process.stderr.write(`\nmaxRSS=${usage.maxRSS * 1024} cpuMs=${Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000)}\n`);
process.exit(code);
