export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  url: string
  port: number
  /** Its working directory (the append-only file lives there). */
  dir: string
  /** SIGTERM, wait for the exit, remove the directory. */
  stop: () => Promise<void>
  /** SIGKILL (a crash) and wait for the exit; the directory stays for `restart()`. */
  kill: () => Promise<void>
  /** SIGSTOP: its connections stay open and nothing answers (a hung server). */
  pause: () => void
  /** SIGCONT after `pause()`. */
  resume: () => void
  /** Stop it (if it runs) and start it again on the same port and directory. */
  restart: () => Promise<void>
}
/** A redis-server on a free 127.0.0.1 port in a temporary directory, append-only file on; resolves once it answers PING. */
export function startRedisServer (): Promise<RedisServer>
