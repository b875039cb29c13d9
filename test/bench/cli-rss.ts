/** Runs `grantbot <args>` (src/cli.ts) in this process and reports its peak RSS on stderr as `maxRSS=<bytes>`. */
import { main, processIO } from "../../src/cli.ts";

const code = await main(process.argv.slice(2), processIO());
process.stderr.write(`\nmaxRSS=${process.resourceUsage().maxRSS * 1024}\n`);
process.exit(code);
