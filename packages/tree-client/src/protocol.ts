// The wire protocol lives in peer-tree-protocol, shared with peer-tree-server (a dependency of
// both, so neither reaches into the other's source); the standalone build inlines it.
export * from 'peer-tree-protocol'
