/**
 * The frames of a MediaStreamTrack, one VideoFrame at a time (browser). Chromium reads a track
 * with MediaStreamTrackProcessor; where there is none, a hidden <video> element plays the track
 * and a VideoFrame is taken from it once per animation frame.
 */
import { BroadcastError, ErrorCode } from '../errors.js'

export interface TrackReader {
  stop: () => void
}

/** Chromium's insertable streams (not in TypeScript's DOM types). */
interface TrackProcessor { readonly readable: ReadableStream<VideoFrame> }
type TrackProcessorClass = new (init: { track: MediaStreamTrack }) => TrackProcessor

/** Calls `onFrame` with each frame and closes the frame after it; `onError` once if reading fails. */
export function readTrackFrames (track: MediaStreamTrack, onFrame: (frame: VideoFrame) => void, onError: (err: unknown) => void): TrackReader {
  if (track.kind !== 'video') throw new TypeError('a video source reads a video track')
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorClass }).MediaStreamTrackProcessor
  return Processor !== undefined ? readWithProcessor(new Processor({ track }), onFrame, onError) : readFromElement(track, onFrame, onError)
}

function readWithProcessor (processor: TrackProcessor, onFrame: (frame: VideoFrame) => void, onError: (err: unknown) => void): TrackReader {
  const reader = processor.readable.getReader()
  let stopped = false
  const pump = async (): Promise<void> => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done || value === undefined) return
      try {
        if (!stopped) onFrame(value)
      } finally {
        value.close()
      }
    }
  }
  pump().catch((err: unknown) => { if (!stopped) onError(err) })
  return {
    stop: () => {
      stopped = true
      reader.cancel().catch(() => {})
    }
  }
}

function readFromElement (track: MediaStreamTrack, onFrame: (frame: VideoFrame) => void, onError: (err: unknown) => void): TrackReader {
  if (typeof document === 'undefined' || typeof requestAnimationFrame === 'undefined') {
    throw new BroadcastError(ErrorCode.MEDIA_UNSUPPORTED, 'this runtime can read no frames from a track (no MediaStreamTrackProcessor, no document)')
  }
  const video = document.createElement('video')
  video.muted = true
  video.playsInline = true
  video.srcObject = new MediaStream([track])
  let stopped = false
  let handle = 0
  const start = performance.now()
  const grab = (): void => {
    if (stopped) return
    handle = requestAnimationFrame(grab)
    if (video.readyState < 2) return
    let frame: VideoFrame | undefined
    try {
      frame = new VideoFrame(video, { timestamp: Math.round((performance.now() - start) * 1000) })
      onFrame(frame)
    } catch (err) {
      stopped = true
      onError(err)
    } finally {
      frame?.close()
    }
  }
  video.play().then(grab, onError)
  return {
    stop: () => {
      stopped = true
      cancelAnimationFrame(handle)
      video.srcObject = null
    }
  }
}
