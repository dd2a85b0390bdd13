/**
 * `npm run simulate -- [options]`: one seeded simulated run of a feed (the real server
 * transitions, the real client membership, the real Source and Subscriber, over simulated
 * links), printed as a table or as JSON. `--plots <dir>` writes the SVG plots instead, and
 * `--validate` runs the real 24-peer churn demo beside the same scenario simulated.
 */
import { helpText, parseCommand } from './scenario.js'
import { simulate } from './simulation.js'
import { formatTable, resultRows, settingsNote } from './report.js'
import { writePlots } from './plots.js'
import { validate } from './validation.js'

async function main (): Promise<void> {
  let command
  try {
    command = parseCommand(process.argv.slice(2))
  } catch (err) {
    console.error(String(err instanceof Error ? err.message : err))
    console.error(helpText())
    process.exitCode = 2
    return
  }
  if (command.help) { console.log(helpText()); return }
  const log = (line: string): void => { if (!command.json) console.log(line) }
  if (command.plots !== undefined) { await writePlots(command.plots, command.scenario, log); return }
  if (command.validate) { await validate(command.json, log); return }
  const result = await simulate(command.scenario, log)
  if (command.json) {
    // On one line for the bench runner (it passes every other line on to the person watching).
    const indent = process.env['BENCH_JSON'] === '1' ? undefined : 2
    console.log(JSON.stringify(result, (_k, v: unknown) => typeof v === 'number' && !Number.isFinite(v) ? null : v, indent))
    return
  }
  console.log(formatTable(resultRows(result)))
  console.log(settingsNote(result))
}

await main()
