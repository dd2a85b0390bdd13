// docs/feed-api.md's in-memory example runs as written against the built package: a source
// and a subscriber over an in-memory link, with no server, and the entry arrives.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

test("feed-api.md's LinkForest example delivers its entry (needs a build)", async () => {
  const doc = readFileSync(join(root, 'docs/feed-api.md'), 'utf8')
  const section = doc.slice(doc.indexOf('## Other transports'))
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1]
  expect(code).toBeDefined()
  // Inside the repository, so that 'peer-tree-broadcast' resolves to the workspace package.
  const dir = mkdtempSync(join(root, 'test/docs/.example-'))
  try {
    const file = join(dir, 'example.mjs')
    writeFileSync(file, code as string)
    const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 20_000 })
    expect(stdout.trim()).toBe("0 { hello: 'world' }")
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
