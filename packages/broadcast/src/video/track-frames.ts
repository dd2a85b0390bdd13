/**
 * The frames of a MediaStreamTrack, one VideoFrame (or AudioData) at a time (browser).
 * Chromium reads a track with MediaStreamTrackProcessor; where there is none, a hidden <video>
 * element plays a video track and a VideoFrame is taken from it once per animation frame
 * (audio then is MEDIA_UNSUPPORTED).
 */
import { BroadcastError, ErrorCode } from '../errors.js'

export interface TrackReader {
  stop: () => void
}

type Frame = VideoFrame | AudioData

/** Chromium's insertable streams (not in TypeScript's DOM types). */
interface TrackProcessor<T extends Frame> { readonly readable: ReadableStream<T> }
type TrackProcessorClass = new <T extends Frame>(init: { track: MediaStreamTrack }) => TrackProcessor<T>

/**
 * Calls `onFrame` with each frame of `track` (VideoFrame for a video track, AudioData for an
 * audio one) and closes the frame after it; `onError` once if reading fails.
 */
export function readTrackFrames<T extends Frame> (track: MediaStreamTrack, onFrame: (frame: T) => void, onError: (err: unknown) => void): TrackReader {
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorClass }).MediaStreamTrackProcessor
  if (Processor !== undefined) return readWithProcessor(new Processor<T>({ track }), onFrame, onError)
  if (track.kind !== 'video') throw new BroadcastError(ErrorCode.MEDIA_UNSUPPORTED, 'this browser cannot read an audio track\'s samples (no MediaStreamTrackProcessor)')
  return readFromElement(track, onFrame as (frame: VideoFrame) => void, onError)
}

function readWithProcessor<T extends Frame> (processor: TrackProcessor<T>, onFrame: (frame: T) => void, onError: (err: unknown) => void): TrackReader {
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
