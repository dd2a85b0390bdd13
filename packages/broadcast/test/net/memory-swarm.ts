/**
 * A feed's source and subscribers in one process, linked by hand over in-memory links: the
 * real Source and Subscriber with no socket, no server and no WebRTC. A test says who is
 * whose parent in which tree; `Carry` hooks let it delay, drop or alter what a link moves.
 */
import { createNodeEd25519, type Ed25519 } from '../../src/crypto/ed25519.js'
import { MemoryBlockStore } from '../../src/net/block-store.js'
import { LinkForest } from '../../src/net/link-forest.js'
import { memoryLinkPair, type Carry, type MemoryLink } from '../../src/net/memory-link.js'
import type { MessageLink } from '../../src/net/message-link.js'
import { Source } from '../../src/net/source.js'
import { Subscriber } from '../../src/net/subscriber.js'
import type { Entry, SubscriberOptions } from '../../src/net/subscriber-types.js'
import { testKeyPair } from '../helpers.js'

export type MemorySource = Source<LinkForest>
export type MemorySubscriber = Subscriber<LinkForest>

export interface SwarmNode {
  name: string
  forest: LinkForest
  sub?: MemorySubscriber
  entries: Entry[]
}

export const SUBSCRIBER_DEFAULTS: SubscriberOptions = {
  from: 0,
  retention: 'all',
  gapGraceMs: 20,
  wantTimeoutMs: 200,
  wantBatch: 64,
  cacheBlocks: 256,
  maxWantBlocks: 64,
  tickMs: 10,
  backfill: true
}

export interface LinkHow {
  /** How what the parent sends travels. */
  down?: Carry
  /** How what the child sends travels. */
  up?: Carry
  /** Rewrites every message the parent sends (a relay that alters what it forwards). */
  alter?: (bytes: Uint8Array) => Uint8Array
}

/** `link` with every message it sends rewritten by `alter` first. */
function altering (link: MessageLink, alter: (bytes: Uint8Array) => Uint8Array): MessageLink {
  return {
    get drains () { return link.drains },
    get bufferedAmount () { return link.bufferedAmount },
    get writable () { return link.writable },
    bind: (handlers) => link.bind(handlers),
    send: (bytes) => link.send(alter(bytes)),
    close: () => link.close()
  }
}

export class MemorySwarm {
  readonly ed: Ed25519 = createNodeEd25519()
  readonly keyPair = testKeyPair('memory swarm')
  readonly nodes = new Map<string, SwarmNode>()
  source!: MemorySource
  #links: MemoryLink[] = []

  static async start (): Promise<MemorySwarm> {
    const swarm = new MemorySwarm()
    const forest = new LinkForest()
    swarm.source = await Source.open(forest, swarm.keyPair, swarm.ed, new MemoryBlockStore(), { haveIntervalMs: 50, cacheBlocks: 256, maxWantBlocks: 64 })
    swarm.nodes.set('source', { name: 'source', forest, entries: [] })
    return swarm
  }

  /** A subscriber named `name`, linked to nobody yet. */
  subscribe (name: string, opts: Partial<SubscriberOptions> = {}): SwarmNode {
    const forest = new LinkForest()
    const sub = new Subscriber(forest, this.keyPair.publicKey, this.ed, { ...SUBSCRIBER_DEFAULTS, ...opts })
    const node: SwarmNode = { name, forest, sub, entries: [] }
    sub.on('entry', (e) => node.entries.push(e))
    this.nodes.set(name, node)
    return node
  }

  /** Links `parent` above `child` in `tree`; `down` carries what the parent sends. */
  link (parent: string, child: string, tree: number, how: LinkHow = {}): [MemoryLink, MemoryLink] {
    const p = this.#node(parent)
    const c = this.#node(child)
    const [a, b] = memoryLinkPair({ ...(how.down !== undefined && { carryForward: how.down }), ...(how.up !== undefined && { carryBack: how.up }) })
    this.#links.push(a, b)
    p.forest.attach(how.alter === undefined ? a : altering(a, how.alter), { tree, direction: 'down', remote: child })
    c.forest.attach(b, { tree, direction: 'up', remote: parent })
    return [a, b]
  }

  /** Resolves once every named subscriber delivered `n` entries. */
  async delivered (names: string[], n: number): Promise<void> {
    const nodes = names.map((name) => this.#node(name))
    await new Promise<void>((resolve) => {
      const check = (): void => { if (nodes.every((x) => x.entries.length >= n)) resolve() }
      for (const x of nodes) x.sub?.on('entry', check)
      check()
    })
  }

  close (): void {
    this.source.close()
    for (const n of this.nodes.values()) n.sub?.close()
    for (const l of this.#links) l.close()
  }

  #node (name: string): SwarmNode {
    const node = this.nodes.get(name)
    if (node === undefined) throw new Error(`no node ${name}`)
    return node
  }
}

/** The seqs of entries, to compare with `range(n)`. */
export const seqs = (node: SwarmNode): number[] => node.entries.map((e) => e.seq)
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)
