// d3-hierarchy ships no types; the tests only hand these two to the demo's layout.
declare module 'd3-hierarchy' {
  export function stratify (): unknown
  export function tree (): unknown
}
