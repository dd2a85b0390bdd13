// The wire protocol is written once, in peer-tree-server; the client's build inlines it (the
// types into its .d.ts, `ownerSignable` into its bundle), so users need no server package.
export * from '../../tree-server/src/protocol.js'
