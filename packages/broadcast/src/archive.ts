// peer-tree-broadcast/archive: the Node-only parts (hypercore, the file system).
export { HypercoreArchive } from './archive/hypercore-archive.js'
export { FileBlockStore } from './archive/file-block-store.js'
export { verifyPath, replicaRecords, type PathReport, type VerifiedSource } from './archive/verify-path.js'
