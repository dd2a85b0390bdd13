/**
 * Debian's Chromium driven by playwright-core: one browser per test file, a fresh context per
 * page (its own storage, so two pages are two strangers), and every page error kept so a test
 * can assert that none happened.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/** Where `apt-get install chromium` puts it; playwright's own browsers are never downloaded. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  // A fake camera and no permission prompt, for getUserMedia in the media suites.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Headless pages in the background must not be throttled: they relay for others.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows'
]

export interface TestPage {
  page: Page
  context: BrowserContext
  /** Uncaught exceptions and console errors seen in the page, in order. */
  errors: string[]
  /** Every console line, for a failing test's message. */
  console: string[]
  close: () => Promise<void>
}

export class TestBrowser {
  #browser: Browser
  #pages = new Set<TestPage>()

  private constructor (browser: Browser) { this.#browser = browser }

  static async launch (extraArgs: string[] = []): Promise<TestBrowser> {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...ARGS, ...extraArgs] })
    return new TestBrowser(browser)
  }

  /** Opens `url` in a context of its own. */
  async open (url: string): Promise<TestPage> {
    const context = await this.#browser.newContext()
    const page = await context.newPage()
    const errors: string[] = []
    const lines: string[] = []
    page.on('pageerror', (err) => { errors.push(`pageerror: ${err.message}`) })
    page.on('console', (msg) => {
      lines.push(`${msg.type()}: ${msg.text()}`)
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
    })
    const entry: TestPage = {
      page,
      context,
      errors,
      console: lines,
      close: async () => {
        this.#pages.delete(entry)
        await context.close().catch(() => {})
      }
    }
    this.#pages.add(entry)
    await page.goto(url)
    return entry
  }

  /** Closes every page opened so far. */
  async closePages (): Promise<void> {
    for (const p of [...this.#pages]) await p.close()
  }

  async close (): Promise<void> {
    await this.closePages()
    await this.#browser.close()
  }
}
