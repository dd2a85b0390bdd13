// A web app that imports peer-tree-client by name: it joins the tree named in `?tree=` and
// keeps every message its upstream peer (a simple-peer instance, as the README promises) sends.
/* global window, location, TextDecoder */
import { io } from 'socket.io-client'
import PeerTreeClient from 'peer-tree-client'

const treeID = new URLSearchParams(location.search).get('tree')
window.received = []
const client = new PeerTreeClient(io({ transports: ['websocket'] }))
client.on('upstreamPeer', (peer) => {
  window.pipes = typeof peer.pipe === 'function'
  peer.on('data', (d) => { window.received.push(new TextDecoder().decode(d)) })
  window.upstream = true
})
client.connect(treeID)
