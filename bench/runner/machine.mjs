// The machine a run was made on, as the table's first line names it.
import { cpus, loadavg } from 'node:os'

export function describeMachine () {
  const all = cpus()
  return { cpu: all[0]?.model?.trim() ?? 'unknown CPU', cores: all.length, load: loadavg(), node: process.version }
}
