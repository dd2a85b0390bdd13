// The feed page: start a feed (this page its source, entries appended from the form) or join
// one (`/?key=<feed key>`), with every entry shown as it arrives. A subscriber delivers only
// entries whose block it verified against the feed key, in order, so each one shown is
// marked verified; the source's own entries are signed here. The page reports its delivery
// to the demo server for the tree view (delivery-report.mjs).
import { reportDelivery } from './delivery-report.mjs'

const { Feed } = globalThis.PeerTreeBroadcast
const $ = (id) => document.getElementById(id)
/** The page keeps this many rows; older ones are dropped from the list (the count stays true). */
const MAX_ROWS = 1000
const name = `page-${Math.random().toString(36).slice(2, 6)}`
const socket = globalThis.io({ transports: ['websocket'] })
const params = new URLSearchParams(location.search)

socket.io.socket('/demo').on('demo:feeds', (keys) => {
  const list = $('feeds')
  list.replaceChildren(...(keys.length === 0 ? [item('none yet')] : keys.map(feedItem)))
})

if (params.has('key')) join(params.get('key')).catch(fail)
else $('start').addEventListener('click', () => { start(Number($('trees').value)).catch(fail) }, { once: true })

async function start (trees) {
  $('start').disabled = true
  const feed = await Feed.create(socket, { trees })
  show(feed.key, `the source (${trees} trees)`)
  const reporter = reportDelivery(socket, feed, { key: feed.key, name, source: true })
  let auto = null
  const append = async (text) => {
    const { seq } = await feed.append({ text, t: Date.now() })
    entryRow(seq, text, 'signed')
    $('count').textContent = String(feed.stats().entries)
    $('state').textContent = `${feed.stats().children} downstream links`
    reporter.send()
  }
  $('count-label').textContent = 'appended and signed'
  $('append').hidden = false
  $('append').addEventListener('submit', (e) => {
    e.preventDefault()
    const text = $('text').value.trim() || `entry at ${new Date().toLocaleTimeString()}`
    $('text').value = ''
    append(text).catch(fail)
  })
  $('auto').addEventListener('change', () => {
    clearInterval(auto)
    if ($('auto').checked) auto = setInterval(() => { append(`tick ${new Date().toLocaleTimeString()}`).catch(fail) }, 1000)
  })
  window.feed = feed
}

async function join (key) {
  $('choose').hidden = true
  show(key, 'a subscriber')
  $('count-label').textContent = 'verified'
  const sub = await Feed.join(socket, key)
  const reporter = reportDelivery(socket, sub, { key, name })
  sub.on('entry', ({ seq, data }) => {
    entryRow(seq, textOf(data), 'verified')
    $('count').textContent = String(seq + 1)
    reporter.send()
  })
  sub.on('error', fail)
  setInterval(() => { $('state').replaceChildren(stateOf(sub.stats())) }, 250)
  window.sub = sub
}

/** A failure is shown on the page (and in the console, where a test sees it). */
function fail (err) {
  $('state').textContent = `error: ${err.message}`
  console.error(err)
}

function show (key, role) {
  $('choose').hidden = true
  $('feed').hidden = false
  $('key').textContent = key
  $('role').textContent = `${role}, ${name}`
  $('join-link').href = `/?key=${key}`
  $('view-link').href = `/tree.html?key=${key}`
  $('tree-link').href = `/tree.html?key=${key}`
}

/** Live, or catching up on blocks it knows of but has not delivered yet; and what backfill did. */
function stateOf (s) {
  const behind = Math.max(0, s.highest + 1 - s.contiguous)
  const span = document.createElement('span')
  span.className = behind === 0 ? 'state-live' : 'state-behind'
  span.textContent = `${behind === 0 ? 'live' : `catching up: ${behind} blocks behind`}; ` +
    `upstreams in ${s.trees} trees; ${s.blocks} blocks verified, ${s.duplicates} copies dropped, ` +
    `${s.gaps} gaps asked for, ${s.backfilled} blocks backfilled${s.invalid > 0 ? `, ${s.invalid} invalid dropped` : ''}`
  return span
}

function entryRow (seq, text, mark) {
  const li = document.createElement('li')
  li.value = seq
  li.dataset.seq = String(seq)
  const badge = document.createElement('span')
  badge.className = 'verified'
  badge.textContent = `✓ ${mark}`
  li.append(badge, text)
  const list = $('entries')
  list.append(li)
  while (list.childElementCount > MAX_ROWS) list.firstElementChild.remove()
  list.scrollTop = list.scrollHeight
}

function textOf (data) {
  if (typeof data === 'object' && data !== null && typeof data.text === 'string') return data.text
  return JSON.stringify(data)
}

function item (text) {
  const li = document.createElement('li')
  li.textContent = text
  return li
}

function feedItem (key) {
  const li = document.createElement('li')
  const join = document.createElement('a')
  join.href = `/?key=${key}`
  join.className = 'key'
  join.textContent = key
  const view = document.createElement('a')
  view.href = `/tree.html?key=${key}`
  view.textContent = 'tree view'
  li.append(join, ' · ', view)
  return li
}
