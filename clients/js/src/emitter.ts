// A small typed event emitter that runs the same in browsers and Node (no node:events).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventMap = { [name: string]: any[] };
export type Listener<A extends unknown[]> = (...args: A) => void;
type AnyListener = (...args: unknown[]) => void;

export class Emitter<E extends EventMap> {
  #listeners = new Map<keyof E, Set<AnyListener>>();

  /** Calls `fn` for every `name` event; returns a function that removes it. */
  on<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(fn as unknown as AnyListener);
    return () => this.off(name, fn);
  }

  /** Calls `fn` for the next `name` event only. */
  once<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    const off = this.on(name, (...args: E[K]) => {
      off();
      fn(...args);
    });
    return off;
  }

  off<K extends keyof E>(name: K, fn: Listener<E[K]>): void {
    this.#listeners.get(name)?.delete(fn as unknown as AnyListener);
  }

  /**
   * The first argument of the next `name` event for which `filter` (if given) is true.
   * Rejects after `timeoutMs` (when given) with an Error naming the event.
   */
  waitFor<K extends keyof E>(
    name: K,
    options: { timeoutMs?: number; filter?: (...args: E[K]) => boolean } = {},
  ): Promise<E[K][0]> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const off = this.on(name, (...args: E[K]) => {
        if (options.filter && !options.filter(...args)) return;
        off();
        if (timer !== undefined) clearTimeout(timer);
        resolve(args[0]);
      });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          off();
          reject(new Error(`no ${String(name)} event within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
    });
  }

  protected emit<K extends keyof E>(name: K, ...args: E[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as unknown as Listener<E[K]>)(...args);
      } catch (err) {
        // A listener's bug must not break the connection's message handling.
        console.error(`gamehost-client: a "${String(name)}" listener threw`, err);
      }
    }
  }
}
