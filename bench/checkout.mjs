// Which build of peer-tree-broadcast a bench runs: this checkout's, or another built checkout's
// (`--baseline <dir>`: a `git worktree` of the commit to compare against, after
// `pnpm install --offline --frozen-lockfile && pnpm run build` there), so that a before and an
// after are measured in one run, under the same load.
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The peer-tree-broadcast module of the checkout at `dir`, or of this one when `dir` is undefined. */
export async function importBroadcast (dir) {
  if (dir === undefined) return await import('peer-tree-broadcast')
  return await import(pathToFileURL(join(resolve(dir), 'packages/broadcast/dist/index.js')).href)
}
