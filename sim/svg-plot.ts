/**
 * Line plots as SVG text, written by hand (no plotting dependency): axes with round ticks,
 * one polyline with point markers per series, a legend. Pure: data in, a string out.
 */

export interface Series {
  name: string
  points: Array<[number, number]>
  dashed?: boolean
}

export interface PlotSpec {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
  /** Axis ranges; by default from the data (y from 0). */
  x?: [number, number]
  y?: [number, number]
  /** Formats a tick value (e.g. as a percentage). */
  yFormat?: (v: number) => string
  xFormat?: (v: number) => string
  width?: number
  height?: number
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b']
const M = { left: 70, right: 170, top: 40, bottom: 50 }

export function linePlot (spec: PlotSpec): string {
  const width = spec.width ?? 720
  const height = spec.height ?? 420
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]))
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite)
  const [x0, x1] = spec.x ?? [Math.min(...xs), Math.max(...xs)]
  const [y0, y1] = spec.y ?? [0, Math.max(...ys, 1e-9)]
  const xTicks = ticks(x0, x1, 6)
  const yTicks = ticks(y0, y1, 6)
  const xa = xTicks[0] ?? x0
  const xb = xTicks[xTicks.length - 1] ?? x1
  const ya = Math.min(y0, yTicks[0] ?? y0)
  const yb = Math.max(y1, yTicks[yTicks.length - 1] ?? y1)
  const pw = width - M.left - M.right
  const ph = height - M.top - M.bottom
  const px = (v: number): number => M.left + (xb === xa ? 0 : ((v - xa) / (xb - xa)) * pw)
  const py = (v: number): number => M.top + ph - (yb === ya ? 0 : ((v - ya) / (yb - ya)) * ph)
  const fx = spec.xFormat ?? fmt
  const fy = spec.yFormat ?? fmt
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`)
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`)
  for (const t of yTicks) {
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${r(py(t))}" y2="${r(py(t))}" stroke="#e5e5e5"/>`)
    out.push(`<text x="${M.left - 6}" y="${r(py(t)) + 4}" text-anchor="end">${esc(fy(t))}</text>`)
  }
  for (const t of xTicks) {
    out.push(`<line x1="${r(px(t))}" x2="${r(px(t))}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#333"/>`)
    out.push(`<text x="${r(px(t))}" y="${M.top + ph + 19}" text-anchor="middle">${esc(fx(t))}</text>`)
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`)
  out.push(`<text x="${M.left + pw / 2}" y="${height - 10}" text-anchor="middle">${esc(spec.xLabel)}</text>`)
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`)
  spec.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string
    const pts = s.points.filter((p) => Number.isFinite(p[1]))
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : ''
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${pts.map((p) => `${r(px(p[0]))},${r(py(p[1]))}`).join(' ')}"/>`)
    for (const p of pts) out.push(`<circle cx="${r(px(p[0]))}" cy="${r(py(p[1]))}" r="3" fill="${color}"/>`)
    const ly = M.top + 10 + i * 20
    out.push(`<line x1="${M.left + pw + 14}" x2="${M.left + pw + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`)
    out.push(`<text x="${M.left + pw + 46}" y="${ly + 4}">${esc(s.name)}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}

/** Round tick values covering [a, b]. */
export function ticks (a: number, b: number, n: number): number[] {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return []
  if (a === b) return [a]
  const raw = (b - a) / n
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.floor(a / step) * step; v <= b + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)))
  if ((out[out.length - 1] ?? a) < b) out.push(Number(((out[out.length - 1] ?? a) + step).toPrecision(12)))
  return out
}

function fmt (v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : Number(v.toPrecision(4)).toString()
}

function r (v: number): number {
  return Math.round(v * 10) / 10
}

function esc (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
