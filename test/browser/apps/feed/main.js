// A web app as its developer writes it: the package and socket.io's client, imported by name,
// bundled with the bundler's defaults. It joins the feed named in `?key=` and keeps what it got.
/* global window, location */
import { io } from 'socket.io-client'
import { Feed, verifyLog } from 'peer-tree-broadcast'

const key = new URLSearchParams(location.search).get('key')
window.seqs = []
window.verify = async () => (await verifyLog(await window.sub.export(), key)).ok
Feed.join(io({ transports: ['websocket'] }), key).then((sub) => {
  window.sub = sub
  sub.on('entry', ({ seq }) => { window.seqs.push(seq) })
}, (err) => { console.error(`join failed: ${err}`) })
