// How the size bench and the size test measure a browser build: gzip -9, and what esbuild makes
// of an app whose whole code is `import * as pkg from '<name>'` (`--bundle --platform=browser
// --minify`, nothing else), resolved from the repository root.
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../', import.meta.url))

export const gzipSize = (bytes) => gzipSync(bytes, { level: 9 }).length

export async function appBundle (name) {
  const result = await build({
    stdin: { contents: `import * as pkg from '${name}'\nglobalThis.pkg = pkg\n`, resolveDir: root },
    bundle: true,
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent'
  })
  return result.outputFiles[0].contents
}
