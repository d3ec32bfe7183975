/**
 * A tiny typed event emitter that runs in browsers and Node alike. A throwing listener is reported
 * through `queueMicrotask` so it cannot break the emitter's own control flow.
 */
// biome-ignore lint/suspicious/noExplicitAny: listener argument tuples are checked by EventMap.
type Listener<A extends any[]> = (...args: A) => void;

// biome-ignore lint/suspicious/noExplicitAny: see above.
export class Emitter<EventMap extends Record<string, any[]>> {
  #listeners = new Map<keyof EventMap, Set<Listener<EventMap[keyof EventMap]>>>();

  on<K extends keyof EventMap>(event: K, listener: Listener<EventMap[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<EventMap[keyof EventMap]>);
    return () => this.off(event, listener);
  }

  once<K extends keyof EventMap>(event: K, listener: Listener<EventMap[K]>): () => void {
    const off = this.on(event, ((...args: EventMap[K]) => {
      off();
      listener(...args);
    }) as Listener<EventMap[K]>);
    return off;
  }

  off<K extends keyof EventMap>(event: K, listener: Listener<EventMap[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<EventMap[keyof EventMap]>);
  }

  protected emit<K extends keyof EventMap>(event: K, ...args: EventMap[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  protected listenerCount(event: keyof EventMap): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
