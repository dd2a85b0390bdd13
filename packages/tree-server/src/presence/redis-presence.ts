/**
 * Presence in one Redis hash (`<prefix>procs`: process ID → heartbeat count). Two small
 * scripts keep the two conditional steps atomic: a retired process is never counted alive
 * again, and a dead process is forgotten only if it did not beat meanwhile.
 */
import { RETIRED } from './presence.js'
import type { HeartbeatTable, ProcessPresence } from './presence.js'

/** What this needs of a node-redis 4 client (`createClient` of `@redis/client`): raw commands. */
export interface PresenceClient {
  sendCommand: (args: string[]) => Promise<unknown>
}

const BEAT = `
local before = redis.call('HGET', KEYS[1], ARGV[1])
if before == '${RETIRED}' then return ${RETIRED} end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)`

const FORGET = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`

export interface RedisPresenceOptions {
  /** Key prefix, shared with the store's keys. @default 'pt:' */
  prefix?: string
  /**
   * A call that has not answered within this many milliseconds rejects, so a hung
   * connection stops neither the heartbeat loop nor its judgement of the others. @default 500
   */
  timeoutMs?: number
}

export class RedisPresence implements ProcessPresence {
  readonly #client: PresenceClient
  readonly #key: string
  readonly #timeoutMs: number

  constructor (client: PresenceClient, opts: RedisPresenceOptions = {}) {
    this.#client = client
    this.#key = `${opts.prefix ?? 'pt:'}procs`
    this.#timeoutMs = opts.timeoutMs ?? 500
  }

  async beat (processID: string): Promise<number> {
    return Number(await this.#send(['EVAL', BEAT, '1', this.#key, processID]))
  }

  async list (): Promise<HeartbeatTable> {
    const flat = await this.#send(['HGETALL', this.#key])
    const pairs: Array<[string, number]> = []
    if (Array.isArray(flat)) {
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const n = Number(String(flat[i + 1]))
        if (Number.isSafeInteger(n)) pairs.push([String(flat[i]), n])
      }
    }
    // fromEntries defines own keys, so a process ID such as `__proto__` stays a plain key.
    return Object.fromEntries(pairs)
  }

  async retire (processID: string): Promise<void> {
    await this.#send(['HSET', this.#key, processID, String(RETIRED)])
  }

  async forget (processID: string, count: number): Promise<void> {
    await this.#send(['EVAL', FORGET, '1', this.#key, processID, String(count)])
  }

  async #send (args: string[]): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer ${args[0] ?? ''} within ${this.#timeoutMs} ms`)), this.#timeoutMs)
    })
    try {
      return await Promise.race([this.#client.sendCommand(args), late])
    } finally {
      clearTimeout(timer)
    }
  }
}
