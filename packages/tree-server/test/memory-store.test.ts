import { MemoryStore } from '../src/store/memory-store.js'
import { runStoreSuite } from './conformance/store-suite.js'

runStoreSuite('MemoryStore', () => new MemoryStore())
