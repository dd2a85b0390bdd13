/** LinkForest over in-memory links: what it reports and what it leaves to the links' owner. */
import { describe, expect, test } from 'vitest'
import { LinkForest } from '../../src/net/link-forest.js'
import { memoryLinkPair } from '../../src/net/memory-link.js'
import { encodeMessage, MessageType } from '../../src/wire.js'
import type { FeedLink } from '../../src/net/feed-link.js'

const nextEvent = async <T>(subscribe: (resolve: (v: T) => void) => void): Promise<T> => await new Promise<T>(subscribe)

describe('LinkForest', () => {
  test('attached links are reported, carry frames, and report their end once', async () => {
    const up = new LinkForest()
    const down = new LinkForest()
    const seen: string[] = []
    down.on('link', (l) => seen.push(`link ${l.direction} ${l.remote}`))
    down.on('unlink', (l) => seen.push(`unlink ${l.remote}`))
    const [a, b] = memoryLinkPair()
    up.attach(a, { tree: 0, direction: 'down', remote: 'child' })
    const link = down.attach(b, { tree: 0, direction: 'up', remote: 'parent' })
    expect(down.upstreams()).toEqual([link])
    expect(up.downstreams()).toHaveLength(1)
    const frame = nextEvent<number>((resolve) => down.on('frame', (_l, f) => { if (f.message.type === MessageType.HAVE) resolve(f.message.highest) }))
    up.downstreams()[0]!.send(encodeMessage({ type: MessageType.HAVE, highest: 7 }))
    expect(await frame).toBe(7)
    const gone = nextEvent<FeedLink>((resolve) => down.on('unlink', resolve))
    a.close()
    expect(await gone).toBe(link)
    expect(seen).toEqual(['link up parent', 'unlink parent'])
    expect(down.links.size).toBe(0)
  })

  test('close detaches every link but leaves the connections to their owner; a link attached after is closed', () => {
    const forest = new LinkForest()
    const [a, b] = memoryLinkPair()
    forest.attach(a, { tree: 0, direction: 'down', remote: 'x' })
    forest.close()
    expect(a.closed).toBe(false)
    expect(b.closed).toBe(false)
    const [c] = memoryLinkPair()
    forest.attach(c, { tree: 1, direction: 'up', remote: 'y' })
    expect(c.closed).toBe(true)
    expect(forest.links.size).toBe(0)
  })

  test('a malformed message is reported as such, not as a frame', async () => {
    const forest = new LinkForest()
    const [a, b] = memoryLinkPair()
    forest.attach(b, { tree: 0, direction: 'up', remote: 'p' })
    const reason = nextEvent<string>((resolve) => forest.on('malformed', (_l, r) => resolve(r)))
    a.send(new Uint8Array([0xc1, 0xc1, 0xc1]))
    expect(typeof await reason).toBe('string')
  })
})
