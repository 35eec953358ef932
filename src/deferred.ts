/** A promise together with the functions that settle it (cockatiel's `defer`, Node's `Promise.withResolvers`). */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * A new unsettled promise with its `resolve`/`reject`. With `{ quiet: true }` a rejection that
 * nobody awaits is not reported as an unhandled rejection (the waiter may have gone away).
 */
export function createDeferred<T = void>(options: { quiet?: boolean } = {}): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  if (options.quiet) promise.catch(() => undefined);
  return { promise, resolve, reject };
}
