// Node 20 has no Promise.withResolvers (Node 22 does); a dependency of libp2p calls it. Import
// this module before libp2p.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve, reject
    const promise = new this((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
