// The haproxy config that the tests and the benchmarks run: the one docs/deploy.md documents,
// read from its one ```haproxy block, with only the listen address, the runtime API socket, the
// servers and the health-check intervals swapped. Each swap must match the documented shape
// exactly, so a doc that changed shape fails loudly instead of running some other config.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const HAPROXY = '/usr/sbin/haproxy'
const DEPLOY_DOC = fileURLToPath(new URL('../docs/deploy.md', import.meta.url))

export function documentedConfig (doc = readFileSync(DEPLOY_DOC, 'utf8')) {
  const blocks = [...doc.matchAll(/^```haproxy\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '')
  if (blocks.length !== 1) throw new Error(`docs/deploy.md must hold exactly one \`\`\`haproxy block, it holds ${blocks.length}`)
  return blocks[0]
}

/** Replaces the one match of `re` in `text`, or throws saying what the doc no longer has. */
function swapOne (text, re, by, what) {
  const found = text.match(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`))?.length ?? 0
  if (found !== 1) throw new Error(`the documented haproxy config must have exactly one ${what} (${String(re)}), it has ${found}`)
  return text.replace(re, by)
}

export function testConfig (doc, opts) {
  if (opts.backends.length === 0) throw new TypeError('testConfig needs at least one backend')
  const checkMs = opts.checkMs ?? 100
  const backend = /^backend (\S+)$/m.exec(doc)?.[1]
  if (backend === undefined || doc.match(/^backend /gm)?.length !== 1) throw new Error('the documented haproxy config must have exactly one backend section')
  let config = swapOne(doc, /^(\s+)stats socket \S+/m, `$1stats socket ${opts.statsSocket}`, 'stats socket line')
  config = swapOne(config, /^(\s+)bind \S+$/m, `$1bind 127.0.0.1:${opts.port}`, 'bind line')
  config = swapOne(config, /^(\s+default-server .*) inter \S+ fall \d+ rise \d+/m, `$1 inter ${checkMs} fall 1 rise 1`, 'default-server line with inter, fall and rise')
  const servers = /^(\s+)server \S+ \S+\n(?:\s+server \S+ \S+\n)*/m
  const indent = servers.exec(config)?.[1] ?? ''
  const lines = opts.backends.map((addr, i) => `${indent}server s${i + 1} ${addr}\n`).join('')
  config = swapOne(config, servers, lines, 'run of server lines without options (their options are on default-server)')
  return { config, backend }
}
