/**
 * A small typed event emitter. Unlike Node's EventEmitter, an `'error'` event with no
 * listener is dropped instead of thrown: the original peer-tree used nanobus, and code written
 * for it (README.md's usage among it) attaches no error listener, so an unhandled one must not crash. A listener that
 * throws does not stop the others and never reaches the code that emitted: it is handed
 * to `onListenerError` (the client turns it into an `'error'` event).
 */
export type EventMap<E> = { [K in keyof E]: (...args: any[]) => void }

export class TypedEmitter<Events extends EventMap<Events>> {
  /** Called with whatever a listener threw; by default dropped. */
  protected onListenerError (_event: keyof Events, _err: unknown): void {}

  #listeners = new Map<keyof Events, Array<{ fn: Events[keyof Events], once: boolean }>>()

  on<E extends keyof Events> (event: E, fn: Events[E]): this {
    this.#add(event, fn, false)
    return this
  }

  once<E extends keyof Events> (event: E, fn: Events[E]): this {
    this.#add(event, fn, true)
    return this
  }

  off<E extends keyof Events> (event: E, fn: Events[E]): this {
    const list = this.#listeners.get(event)
    if (list !== undefined) {
      const i = list.findIndex((l) => l.fn === fn)
      if (i !== -1) list.splice(i, 1)
    }
    return this
  }

  removeListener<E extends keyof Events> (event: E, fn: Events[E]): this {
    return this.off(event, fn)
  }

  removeAllListeners (event?: keyof Events): this {
    if (event === undefined) this.#listeners.clear()
    else this.#listeners.delete(event)
    return this
  }

  listenerCount (event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0
  }

  /** Calls every listener; returns whether there was one. Listener exceptions are reported, not thrown. */
  emit<E extends keyof Events> (event: E, ...args: Parameters<Events[E]>): boolean {
    const list = this.#listeners.get(event)
    if (list === undefined || list.length === 0) return false
    for (const l of [...list]) {
      if (l.once) this.off(event, l.fn)
      try {
        l.fn(...args)
      } catch (err) {
        // An application handler that throws must not disturb the tree: the original
        // reconnected whenever an 'upstreamPeer' handler threw.
        this.onListenerError(event, err)
      }
    }
    return true
  }

  #add (event: keyof Events, fn: Events[keyof Events], once: boolean): void {
    let list = this.#listeners.get(event)
    if (list === undefined) this.#listeners.set(event, (list = []))
    list.push({ fn, once })
  }
}
