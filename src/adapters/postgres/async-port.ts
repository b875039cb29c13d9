/**
 * The asynchronous shape of a store port: every method returns a Promise of what the synchronous
 * SQLite implementation returns. (Temporary bridge while the ports move to async; the PostgreSQL
 * stores implement `AsyncPort<Port>`.)
 */
export type AsyncPort<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};
