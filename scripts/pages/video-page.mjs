// The video page: broadcast the camera or an animated canvas (this page a feed's source, each
// encoded frame a signed entry), or watch one (`/video.html?key=<feed key>`). A watcher
// decodes only frames whose block it verified against the feed key: no relay can alter one.
const { Feed, VideoSource, VideoPlayer, startAtKeyFrame } = globalThis.PeerTreeBroadcast
const $ = (id) => document.getElementById(id)
const socket = globalThis.io({ transports: ['websocket'] })
const params = new URLSearchParams(location.search)

socket.io.socket('/demo').on('demo:feeds', (keys) => {
  const items = keys.map((key) => {
    const li = document.createElement('li')
    const a = Object.assign(document.createElement('a'), { href: `/video.html?key=${key}`, textContent: key })
    a.className = 'key'
    li.append(a)
    return li
  })
  $('feeds').replaceChildren(...(items.length > 0 ? items : [Object.assign(document.createElement('li'), { textContent: 'none yet' })]))
})

if (params.has('key')) watch(params.get('key')).catch(fail)
else {
  $('camera').addEventListener('click', () => { broadcast('camera').catch(fail) }, { once: true })
  $('canvas').addEventListener('click', () => { broadcast('canvas').catch(fail) }, { once: true })
}

async function broadcast (kind) {
  $('camera').disabled = $('canvas').disabled = true
  const track = kind === 'camera'
    ? (await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } })).getVideoTracks()[0]
    : animatedCanvas($('screen'))
  const feed = await Feed.create(socket, { trees: Number($('trees').value) })
  const source = VideoSource.fromTrack(feed, track)
  source.on('error', fail)
  show(feed.key, `the source (${kind})`)
  if (kind === 'camera') preview(track)
  setInterval(() => {
    const s = source.stats()
    $('frames').textContent = `${s.frames} encoded (${s.keyFrames} key frames, ${s.dropped} dropped), ${Math.round(s.encodedBytes / 1024)} KiB`
    $('state').textContent = `${feed.stats().children} downstream links`
  }, 500)
  window.feed = feed
  window.source = source
}

async function watch (key) {
  $('choose').hidden = true
  show(key, 'a viewer')
  // Live, from the latest key frame; a bounded log (a viewer has no use for old frames).
  const sub = await Feed.join(socket, key, { from: 'live', rewind: startAtKeyFrame, retention: { maxBlocks: 256 } })
  const player = new VideoPlayer(sub, { canvas: $('screen') })
  player.on('error', fail)
  setInterval(() => {
    const p = player.stats()
    const s = sub.stats()
    $('frames').textContent = `${p.frames} decoded (${p.skippedBeforeGroup + p.skippedBehind} skipped, fell behind ${p.fellBehind} times)`
    $('state').textContent = `${s.trees} trees up · ${s.invalid} blocks refused · ${s.backfilled} backfilled`
  }, 500)
  window.sub = sub
  window.player = player
}

/** A canvas that draws the time and a moving bar, captured as a track. */
function animatedCanvas (canvas) {
  const ctx = canvas.getContext('2d')
  const draw = () => {
    const t = performance.now() / 1000
    ctx.fillStyle = `hsl(${(t * 40) % 360} 55% 45%)`
    ctx.fillRect(0, 0, canvas.width, canvas.height)
    ctx.fillStyle = '#fff'
    ctx.fillRect(((t * 80) % (canvas.width + 40)) - 40, 150, 40, 60)
    ctx.font = '28px ui-monospace, monospace'
    ctx.fillText(new Date().toLocaleTimeString(), 20, 60)
    ctx.fillText(`${(t % 1).toFixed(2).slice(1)} s`, 20, 100)
    globalThis.requestAnimationFrame(draw)
  }
  draw()
  return canvas.captureStream(30).getVideoTracks()[0]
}

function preview (track) {
  const video = Object.assign(document.createElement('video'), { muted: true, autoplay: true, playsInline: true, width: 320 })
  video.srcObject = new globalThis.MediaStream([track])
  $('screen').replaceWith(video)
}

function show (key, role) {
  $('stream').hidden = false
  $('key').textContent = key
  $('role').textContent = role
  $('watch-link').href = `/video.html?key=${key}`
  $('view-link').href = `/tree.html?key=${key}`
  $('tree-link').href = `/tree.html?key=${key}`
}

/** A failure is shown on the page (and in the console, where a test sees it). */
function fail (err) {
  $('state').textContent = `error: ${err.message}`
  console.error(err)
}
