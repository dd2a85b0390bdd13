// A TCP port on 127.0.0.1 for a server the tests or benchmarks start themselves.
import { createServer } from 'node:net'

/** A port that was free a moment ago (the kernel picks it). */
export async function freePort () {
  return await new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}
