/**
 * Group commit: many callers each want their items written, and every write is a transaction
 * (on PostgreSQL a commit waits for the WAL to reach the disk, and writes that append to the
 * audit chain queue behind one lock). Instead of one transaction per caller, the first caller
 * starts a write; callers arriving while it runs are collected and written together by the next
 * one. No caller waits longer than one write in flight plus its own; under load the number of
 * writes drops to what the store can absorb.
 */

/**
 * Returns `record(items)`: resolves once `write` committed a batch holding `items` (with those of
 * other callers), or rejects with that batch's error. Batches run one at a time, in arrival order.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<void>): (items: readonly T[]) => Promise<void> {
  type Waiter = { resolve: () => void; reject: (err: unknown) => void };
  let next: { items: T[]; waiters: Waiter[] } | null = null;
  let writing = false;
  const drain = async () => {
    writing = true;
    while (next) {
      const batch = next;
      next = null;
      try {
        await write(batch.items);
        for (const w of batch.waiters) w.resolve();
      } catch (err) {
        for (const w of batch.waiters) w.reject(err);
      }
    }
    writing = false;
  };
  return (items) =>
    new Promise<void>((resolve, reject) => {
      next ??= { items: [], waiters: [] };
      next.items.push(...items);
      next.waiters.push({ resolve, reject });
      if (!writing) void drain();
    });
}
