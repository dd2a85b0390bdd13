/**
 * One encoded chunk of a track (a video or audio frame as WebCodecs hands it out), as the value
 * of one feed entry. The source signs it like any entry, so a player decodes only bytes the
 * source produced: a relay can drop a frame (the trees and backfill bring it anyway) but never
 * alter or inject one.
 *
 * On the wire it is a msgpack array, not a map: a frame is a few hundred bytes to a few
 * kilobytes and is sent thirty times a second, so field names would be pure overhead.
 *   [track, key, timestamp, duration, data, group, config?]
 */

export type MediaTrackKind = 'video' | 'audio'

/** What a decoder needs before the first chunk of a group: WebCodecs' decoder configuration. */
export interface MediaDecoderConfig {
  codec: string
  /** Video: the coded size. */
  codedWidth?: number
  codedHeight?: number
  /** Audio: the sample rate and channels. */
  sampleRate?: number
  numberOfChannels?: number
  /** Codec-specific setup bytes (avcC for H.264, for instance); absent for VP8 and Opus. */
  description?: Uint8Array
}

export interface MediaFrame {
  track: MediaTrackKind
  /** A key frame decodes on its own; a delta needs every frame since its group's key frame. */
  key: boolean
  /** Presentation time in microseconds, as the encoder stamped it. */
  timestamp: number
  /** Microseconds; 0 when the encoder did not say. */
  duration: number
  data: Uint8Array
  /**
   * The block index of the frame that starts this frame's group (a key frame), so that a
   * newcomer that lands mid-group knows where the group began; -1 on that first frame itself
   * (its block index is not known before it is appended).
   */
  group: number
  /**
   * The configuration to (re)configure the decoder with: on every video key frame, and on
   * the audio chunks that start a group (every Opus chunk is a key chunk; the source marks
   * one a second as a group start so that the configuration is not repeated fifty times).
   */
  config?: MediaDecoderConfig
}

const TRACK_CODES: Record<MediaTrackKind, number> = { video: 0, audio: 1 }
const TRACKS: readonly MediaTrackKind[] = ['video', 'audio']

/** The entry value for a frame (what `feed.append` takes). */
export function mediaFrameEntry (frame: MediaFrame): unknown[] {
  const entry: unknown[] = [TRACK_CODES[frame.track], frame.key ? 1 : 0, frame.timestamp, frame.duration, frame.data, frame.group]
  if (frame.config !== undefined) entry.push(configEntry(frame.config))
  return entry
}

function configEntry (config: MediaDecoderConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { codec: config.codec }
  for (const name of ['codedWidth', 'codedHeight', 'sampleRate', 'numberOfChannels', 'description'] as const) {
    if (config[name] !== undefined) out[name] = config[name]
  }
  return out
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)

function readConfig (value: unknown): MediaDecoderConfig | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const v = value as Record<string, unknown>
  if (typeof v.codec !== 'string' || v.codec.length === 0) return undefined
  const config: MediaDecoderConfig = { codec: v.codec }
  for (const name of ['codedWidth', 'codedHeight', 'sampleRate', 'numberOfChannels'] as const) {
    const n = v[name]
    if (n === undefined) continue
    if (!isCount(n)) return undefined
    config[name] = n
  }
  if (v.description !== undefined) {
    if (!(v.description instanceof Uint8Array)) return undefined
    config.description = v.description
  }
  return config
}

/**
 * The frame an entry value holds, or undefined when it is not one (a signed entry is the
 * source's own, but a feed may carry other entries too, and a buggy source should cost a
 * skipped frame, not a thrown decoder).
 */
export function readMediaFrame (value: unknown): MediaFrame | undefined {
  if (!Array.isArray(value) || value.length < 6 || value.length > 7) return undefined
  const [trackCode, key, timestamp, duration, data, group, config] = value as unknown[]
  const track = typeof trackCode === 'number' ? TRACKS[trackCode] : undefined
  if (track === undefined || (key !== 0 && key !== 1)) return undefined
  if (!isTime(timestamp) || !isCount(duration) || !(data instanceof Uint8Array)) return undefined
  if (!isTime(group) || group < -1) return undefined
  const frame: MediaFrame = { track, key: key === 1, timestamp, duration, data, group }
  if (value.length === 7) {
    const read = readConfig(config)
    if (read === undefined) return undefined
    frame.config = read
  }
  // A group starts at a frame that decodes alone and says how to decode it; every video key frame starts one.
  if (group === -1 && (!frame.key || frame.config === undefined)) return undefined
  if (frame.track === 'video' && frame.key && group !== -1) return undefined
  return frame
}

/**
 * For `Feed.join(socket, key, { from: 'live', rewind: startAtKeyFrame })`: a live join starts
 * at the block of the latest video key frame (the group its first block belongs to) instead of
 * mid-group, so a player shows a picture at once rather than waiting for the next key frame.
 * The group is read from the first verified block, the source's own word.
 */
export function startAtKeyFrame ({ index, entries }: { index: number, entries: readonly unknown[] }): number {
  for (const value of entries) {
    const frame = readMediaFrame(value)
    if (frame?.track === 'video') return frame.group === -1 ? index : frame.group
  }
  return index
}
