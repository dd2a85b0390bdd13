/** gzip -9 size of `bytes`. */
export function gzipSize (bytes: Uint8Array): number
/** esbuild's minified browser bundle of an app that imports the package `name` whole. */
export function appBundle (name: string): Promise<Uint8Array>
