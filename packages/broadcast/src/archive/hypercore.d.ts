// hypercore 11 ships no types; this is the part of its API the archive uses.
declare module 'hypercore' {
  interface HypercoreOptions {
    keyPair?: { publicKey: Uint8Array, secretKey: Uint8Array }
    valueEncoding?: string
  }
  class Hypercore {
    constructor (storage: string, opts?: HypercoreOptions)
    readonly length: number
    readonly writable: boolean
    /** Who signs the core (hypercore 11 names a core by a hash of its manifest). */
    readonly manifest?: { signers?: Array<{ publicKey: Uint8Array }> } | null
    ready (): Promise<void>
    append (block: Uint8Array | Uint8Array[]): Promise<{ length: number }>
    get (index: number, opts?: { wait?: boolean }): Promise<Uint8Array | null>
    close (): Promise<void>
  }
  export default Hypercore
}
