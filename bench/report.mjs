// How a bench hands its figures to the runner (bench/run-all.mjs): with BENCH_JSON=1 in its
// environment, its last line on stdout is `{"bench": "<name>", "figures": {...}}`. Without it,
// nothing changes: a bench run by hand prints its own lines only.
export function reportFigures (bench, figures) {
  if (process.env.BENCH_JSON === '1') process.stdout.write(`${JSON.stringify({ bench, figures })}\n`)
}
