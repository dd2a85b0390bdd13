// Runs one side of a bench in a Node child process of its own (stderr passed on) and resolves
// with the JSON of the last line it printed; rejects with that line when it exits non-zero.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** `script` is a URL (relative to the caller's `import.meta.url`); `what` names the side in errors. */
export function runJsonChild (script, args, what) {
  const child = spawn(process.execPath, [fileURLToPath(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? ''
      if (code !== 0) reject(new Error(`the ${what} side exited with ${code}: ${last}`))
      else resolve(JSON.parse(last))
    })
  })
}
