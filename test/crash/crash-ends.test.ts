/**
 * Crash safety of revocation whatever state the grant is in (ends-scenario.ts), on the embedded
 * SQLite store.
 */
import { describeEndCrashes } from "./ends-scenario.ts";

describeEndCrashes("crash safety of revocation, whatever state the grant is in");
