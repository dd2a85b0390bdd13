/**
 * Presence in one Redis hash (`<prefix>procs`: process ID → heartbeat count), plus one key
 * per fenced process (`<prefix>fenced:<id>`, kept a day) that its next beat finds even once
 * its entry is gone. Small scripts keep the conditional steps atomic: a retired or fenced
 * process is never counted alive again, and a fence lands only on the count judged dead.
 */
import { FENCED, RETIRED } from './presence.js'
import type { HeartbeatTable, ProcessPresence } from './presence.js'

/** What this needs of a node-redis 4 client (`createClient` of `@redis/client`): raw commands. */
export interface PresenceClient {
  sendCommand: (args: string[]) => Promise<unknown>
}

/** How long a fenced process's marker stays: a process paused for longer comes back to nothing it held. */
const FENCE_TTL_S = 86_400

// KEYS: the table, the process's fence marker. ARGV: the process ID.
const BEAT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return ${FENCED} end
local before = redis.call('HGET', KEYS[1], ARGV[1])
if before == '${RETIRED}' then return ${RETIRED} end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)`

// KEYS: the table, the marker. ARGV: the process ID, the count judged dead.
const FENCE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], '${FENCED}')
redis.call('SET', KEYS[2], '1', 'EX', ${FENCE_TTL_S})
return 1`

const FORGET = `
if redis.call('HGET', KEYS[1], ARGV[1]) == '${FENCED}' then redis.call('HDEL', KEYS[1], ARGV[1]) end
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
  readonly #prefix: string
  readonly #timeoutMs: number

  constructor (client: PresenceClient, opts: RedisPresenceOptions = {}) {
    this.#client = client
    this.#prefix = opts.prefix ?? 'pt:'
    this.#key = `${this.#prefix}procs`
    this.#timeoutMs = opts.timeoutMs ?? 500
  }

  async beat (processID: string): Promise<number> {
    return Number(await this.#send(['EVAL', BEAT, '2', this.#key, this.#marker(processID), processID]))
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

  async fence (processID: string, count: number): Promise<boolean> {
    return Number(await this.#send(['EVAL', FENCE, '2', this.#key, this.#marker(processID), processID, String(count)])) === 1
  }

  async forget (processID: string): Promise<void> {
    await this.#send(['EVAL', FORGET, '1', this.#key, processID])
  }

  #marker (processID: string): string {
    return `${this.#prefix}fenced:${processID}`
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
