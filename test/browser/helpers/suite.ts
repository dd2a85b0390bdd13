/**
 * What every browser test file sets up: one Chromium for the file, and per test its pages, a
 * Swarm of Node peers and the page servers it started, all closed after the test.
 */
import { afterAll, afterEach, beforeAll } from 'vitest'
import type { PeerTreeServerOptions } from 'peer-tree-server'
import { Swarm } from '../../helpers/swarm.js'
import { TestBrowser } from './chromium.js'
import { startPageServer, type PageServer } from './page-server.js'

export interface BrowserSuite {
  /** The file's Chromium (launched before its first test). */
  readonly browser: TestBrowser
  /** Node peers and sockets of the running test. */
  readonly swarm: Swarm
  /** A page server for the running test, closed after it. */
  server: (opts?: PeerTreeServerOptions) => Promise<PageServer>
}

/** Script tags of a page that uses a package's global (after socket.io's client). */
export const CLIENT_SCRIPTS = '<script src="/socket.io/socket.io.js"></script><script src="/pkg/client/index.global.js"></script>'
export const FEED_SCRIPTS = '<script src="/socket.io/socket.io.js"></script><script src="/pkg/broadcast/index.global.js"></script>'

/** Registers the hooks in the calling test file. */
export function browserSuite (): BrowserSuite {
  let browser: TestBrowser | undefined
  const swarm = new Swarm()
  const servers: PageServer[] = []
  beforeAll(async () => { browser = await TestBrowser.launch() })
  afterAll(async () => { await browser?.close() })
  afterEach(async () => {
    await browser?.closePages()
    await swarm.close()
    for (const server of servers.splice(0)) await server.close()
  })
  return {
    get browser () {
      if (browser === undefined) throw new Error('the browser is launched in beforeAll: use it inside a test')
      return browser
    },
    swarm,
    server: async (opts) => {
      const server = await startPageServer(opts)
      servers.push(server)
      return server
    }
  }
}
