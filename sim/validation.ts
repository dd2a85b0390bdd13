export async function validate (_json: boolean, _log: (line: string) => void): Promise<void> {}
