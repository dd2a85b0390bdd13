/** A port on 127.0.0.1 that was free a moment ago (the kernel picks it). */
export function freePort (): Promise<number>
