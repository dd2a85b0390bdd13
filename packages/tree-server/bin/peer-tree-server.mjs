#!/usr/bin/env node
// peer-tree-server [options]: a signalling server for peer trees on socket.io, with
// /healthz, /readyz and /metrics. `peer-tree-server --help` lists the options.
let command
try {
  command = await import('../dist/command.js')
} catch (err) {
  // socket.io is a peer dependency: the application installs it beside this package.
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && /'socket\.io'/.test(String(err.message))) {
    console.error('peer-tree-server: socket.io is not installed (npm install peer-tree-server socket.io)')
    process.exit(1)
  }
  throw err
}
await command.runCommand(process.argv.slice(2))
