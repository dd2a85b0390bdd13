/**
 * Presence in one Redis hash (`<prefix>procs`: process ID → heartbeat count). Two small
 * scripts keep the two conditional steps atomic: a retired process is never counted alive
 * again, and a dead process is forgotten only if it did not beat meanwhile.
 */
import { RETIRED } from './presence.js'
import type { HeartbeatTable, ProcessPresence } from './presence.js'

/** The few commands this needs, as node-redis 4 (`@redis/client`) names them. */
export interface PresenceClient {
  eval: (script: string, options: { keys: string[], arguments: string[] }) => Promise<unknown>
  hGetAll: (key: string) => Promise<Record<string, string>>
  hSet: (key: string, field: string, value: string) => Promise<unknown>
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
}

export class RedisPresence implements ProcessPresence {
  readonly #client: PresenceClient
  readonly #key: string

  constructor (client: PresenceClient, opts: RedisPresenceOptions = {}) {
    this.#client = client
    this.#key = `${opts.prefix ?? 'pt:'}procs`
  }

  async beat (processID: string): Promise<number> {
    return Number(await this.#client.eval(BEAT, { keys: [this.#key], arguments: [processID] }))
  }

  async list (): Promise<HeartbeatTable> {
    const raw = await this.#client.hGetAll(this.#key)
    // fromEntries defines own keys, so a process ID such as `__proto__` stays a plain key.
    return Object.fromEntries(Object.entries(raw).map(([id, count]) => [id, Number(count)]).filter(([, n]) => Number.isSafeInteger(n)))
  }

  async retire (processID: string): Promise<void> {
    await this.#client.hSet(this.#key, processID, String(RETIRED))
  }

  async forget (processID: string, count: number): Promise<void> {
    await this.#client.eval(FORGET, { keys: [this.#key], arguments: [processID, String(count)] })
  }
}
