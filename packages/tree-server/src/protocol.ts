// The wire protocol lives in peer-tree-protocol, shared with peer-tree-client; this module keeps
// the `peer-tree-server/protocol` export (and the server's own imports) working unchanged.
export * from 'peer-tree-protocol'
