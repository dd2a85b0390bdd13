export const USAGE: string
export interface RunnerOptions { only?: string[], quick: boolean, json: boolean, help: boolean, list: boolean }
/** The runner's options from its arguments and npm's environment, or the argument it does not know. */
export function parseOptions (argv: string[], env?: Record<string, string | undefined>): RunnerOptions | { error: string }
