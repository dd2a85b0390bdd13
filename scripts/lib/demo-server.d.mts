// Types of demo-server.mjs, for the TypeScript tests that use it.
import type { Server as HttpServer } from 'node:http'
import type { Server } from 'socket.io'
import type { PeerTreeServer, PeerTreeServerOptions } from 'peer-tree-server'
import type { ForestModel } from './forest-model.mjs'

export interface DemoServer {
  url: string
  io: Server
  http: HttpServer
  treeServer: PeerTreeServer
  board: {
    stats: () => { reports: number, feeds: number, dropped: number }
    model: (key: string) => Promise<ForestModel>
    close: () => void
  }
  pages: (key: string) => { feed: string, tree: string, video: string }
  close: () => Promise<void>
}
export function startDemoServer (opts?: { host?: string, port?: number, treeServer?: PeerTreeServerOptions }): Promise<DemoServer>
