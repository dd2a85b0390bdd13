// peer-tree-broadcast/video (browser): live video (and its audio) as signed feed entries. A
// VideoSource encodes a track's frames with WebCodecs and appends each chunk to a feed; a
// VideoPlayer decodes a subscriber's verified entries. See docs/video.md.
export { VideoSource, type VideoSourceOptions, type VideoSourceStats, type VideoSourceEvents, type FrameAppender } from './video/video-source.js'
export type { WrittenChunk } from './video/frame-writer.js'
export type { AudioPlaybackStats } from './video/audio-playback.js'
export { VideoPlayer, type VideoPlayerOptions, type VideoPlayerStats, type VideoPlayerEvents, type DecodedFrameInfo, type FrameFeed } from './video/video-player.js'
export { Playout, DEFAULT_MAX_LAG_MS, DEFAULT_MAX_DECODE_QUEUE, type PlayoutOptions, type PlayoutStats, type PlayoutStep, type SkipReason } from './video/playout.js'
export { mediaFrameEntry, readMediaFrame, startAtKeyFrame, type MediaFrame, type MediaDecoderConfig, type MediaTrackKind } from './video/media-frame.js'
