import chromiumBinary from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for the HTML tests, from the @sparticuz/chromium npm package (unpacked into
 * the temp directory on first use), so the suite needs no browser from the system. Flags: no
 * sandbox (tests run as root), and nothing that reaches the network on its own.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumBinary.executablePath(),
    args: ['--no-sandbox', '--no-zygote', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
