import { createServer, connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { afterAcks, Foreground } from "../../src/services/jobs/foreground.ts";

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a handler's synchronous work (a transaction)
  }
}

describe("Foreground", () => {
  it("resumes handlers one per turn of the event loop, so input that arrives meanwhile is read between them", async () => {
    const log: string[] = [];
    let server!: ReturnType<typeof createServer>;
    const accepted = new Promise<Socket>((resolve) => {
      server = createServer(resolve).listen(0, "127.0.0.1");
    });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const client = connect((server.address() as { port: number }).port, "127.0.0.1");
    const socket = await accepted;
    socket.on("data", () => log.push("input"));
    try {
      const fg = new Foreground();
      const handler = async (name: string) => {
        await fg.nextTurn();
        log.push(name);
        if (name === "a") {
          client.write("next request"); // arrives while "a" is still busy
          busyWait(30);
        }
      };
      await Promise.all([handler("a"), handler("b"), handler("c")]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(log).toEqual(["a", "input", "b", "c"]);
    } finally {
      client.destroy();
      socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("lets a handler go on after its ack once no request is in flight, or after the longest wait", async () => {
    const fg = new Foreground();
    fg.enter();
    const order: string[] = [];
    const waiting = afterAcks(fg, 1_000).then(() => order.push("resumed"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    order.push("still acknowledging");
    fg.leave();
    await waiting;
    expect(order).toEqual(["still acknowledging", "resumed"]);

    fg.enter(); // never answered: the handler goes on after maxWaitMs anyway
    const started = performance.now();
    await afterAcks(fg, 50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    fg.leave();
  });
});
