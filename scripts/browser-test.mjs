#!/usr/bin/env node
// Opens the built book (book/book/html/, from `mdbook build book`) in headless Chromium and
// checks every page listed in book/src/SUMMARY.md, the way a reader sees it:
//   - the page loads with no console error, no uncaught exception, no failed request and
//     no HTTP error (nothing is ignored);
//   - the math is rendered by KaTeX: a page whose Markdown has `$` outside code has
//     `.katex` elements styled with the KaTeX fonts, no `.katex-error`, and no `$` left in
//     its visible prose (so no raw `$$…$$` or `$…$`);
//   - every <img> loaded (naturalWidth > 0), and there are as many as the Markdown has;
// and that mdBook's search box finds a chapter word. It saves a screenshot of chapter 5 to
// target/browser/05-gradient-descent.png, prints one line per check, and ends with
// `N passed, N failed` (exit status 1 if any failed).
//
// The book is served over HTTP on 127.0.0.1 (a free port) by this script, as a reader's
// `mdbook serve` would. Needs playwright-core (installed by scripts/setup.sh into
// $AIGC_BROWSER_DIR, default ~/.cache/aigc-browser) and Chromium at $CHROMIUM
// (default /usr/bin/chromium).
//
//   node scripts/browser-test.mjs [BUILT_BOOK_DIR]

import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bookDir = resolve(process.argv[2] ?? join(root, 'book/book/html'));
const srcDir = join(root, 'book/src');
const shotPath = join(root, 'target/browser/05-gradient-descent.png');
const browserDir = process.env.AIGC_BROWSER_DIR ?? join(homedir(), '.cache/aigc-browser');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SEARCH_WORD = 'gradient';
const SEARCH_PAGE = '05-gradient-descent.html'; // a result must link here

if (!existsSync(join(bookDir, 'index.html'))) {
  console.error(`browser-test: no built book at ${bookDir}; run \`mdbook build book\` first`);
  process.exit(2);
}
let chromium;
try {
  ({ chromium } = createRequire(join(browserDir, 'package.json'))('playwright-core'));
} catch (e) {
  console.error(`browser-test: playwright-core not found in ${browserDir}; run scripts/setup.sh`);
  process.exit(2);
}

// The pages the book lists: every `[title](file.md)` of SUMMARY.md (drafts have no file).
const chapters = [...readFileSync(join(srcDir, 'SUMMARY.md'), 'utf8').matchAll(/\]\(([^)]+\.md)\)/g)]
  .map((m) => m[1]);

/** What the Markdown source promises: math (a `$` outside code) and how many images. */
function expectations(md) {
  const text = readFileSync(join(srcDir, md), 'utf8')
    .replace(/^(```|~~~)[^]*?^\1/gm, '') // fenced code
    .replace(/`[^`\n]*`/g, ''); // inline code
  return {
    math: text.includes('$'),
    images: new Set([...text.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)].map((m) => m[1])).size,
  };
}

// A static file server for the built book, on a free loopback port.
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.ttf': 'font/ttf', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
};
const server = createServer((req, res) => {
  const path = normalize(join(bookDir, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  const file = path.endsWith(sep) ? join(path, 'index.html') : path;
  if (!file.startsWith(bookDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: chromiumPath,
  // Playwright adds --headless, --no-sandbox (it runs as root here) and its own profile dir.
  args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-sync', '--disable-quic'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });

/** Opens `url` and returns the page and every problem seen while it loaded. */
async function open(url) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  await page.evaluate(() => document.fonts.ready);
  return { page, problems };
}

let passed = 0;
let failed = 0;
function report(name, found, detail) {
  const problems = [...new Set(found)];
  if (problems.length === 0) {
    passed += 1;
    console.log(`ok    ${name} (${detail})`);
  } else {
    failed += 1;
    console.log(`FAIL  ${name}: ${problems.join('; ')}`);
  }
}

for (const md of chapters) {
  const html = md.replace(/\.md$/, '.html');
  const want = expectations(md);
  let page;
  const problems = [];
  let detail = '';
  try {
    const opened = await open(base + html);
    page = opened.page;
    const seen = await page.evaluate(() => {
      const main = document.querySelector('main');
      // The prose a reader sees, without code and without the rendered math itself.
      const prose = main.cloneNode(true);
      prose.querySelectorAll('pre, code, .katex, .katex-display').forEach((e) => e.remove());
      const katex = main.querySelector('.katex');
      return {
        title: document.title,
        katex: main.querySelectorAll('.katex').length,
        katexErrors: main.querySelectorAll('.katex-error').length,
        katexFont: katex ? getComputedStyle(katex).fontFamily : '',
        katexFontLoaded: document.fonts.check('16px KaTeX_Main'),
        dollars: (prose.textContent.match(/.{0,30}\$.{0,30}/g) ?? []).slice(0, 3),
        // mdBook 0.5 writes every image twice (inline, and hidden for its zoom view).
        images: [...document.images].map((i) => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 })),
      };
    });
    problems.push(...opened.problems);
    if (/^Page not found/i.test(seen.title)) problems.push('mdBook\'s 404 page');
    if (want.math) {
      if (seen.katex === 0) problems.push('math in the source but no .katex element');
      if (seen.katex > 0 && !seen.katexFont.includes('KaTeX_Main')) problems.push(`KaTeX stylesheet not applied (font ${seen.katexFont})`);
      if (seen.katex > 0 && !seen.katexFontLoaded) problems.push('KaTeX font KaTeX_Main not loaded');
    }
    if (seen.katexErrors > 0) problems.push(`${seen.katexErrors} KaTeX error(s)`);
    for (const d of seen.dollars) problems.push(`raw math in the text: "${d.trim()}"`);
    const broken = new Set(seen.images.filter((i) => !i.ok).map((i) => i.src));
    for (const src of broken) problems.push(`image not loaded: ${src}`);
    const images = new Set(seen.images.map((i) => i.src)).size;
    if (images < want.images) problems.push(`${want.images} images in the source, ${images} on the page`);
    detail = `${seen.katex} math, ${images} images`;
    if (html === '05-gradient-descent.html' && problems.length === 0) {
      mkdirSync(dirname(shotPath), { recursive: true });
      await page.screenshot({ path: shotPath });
      detail += `, screenshot ${shotPath.slice(root.length + 1)}`;
    }
  } catch (e) {
    problems.push(`${e.message.split('\n')[0]}`);
  }
  await page?.close();
  report(html, problems, detail);
}

// Search: open the search bar as a reader does (the `s` key), type a word, read the results.
{
  const problems = [];
  let detail = '';
  let opened;
  try {
    opened = await open(base + 'index.html');
    const { page } = opened;
    await page.keyboard.press('s');
    await page.waitForSelector('#mdbook-searchbar', { state: 'visible', timeout: 10_000 });
    await page.fill('#mdbook-searchbar', SEARCH_WORD);
    await page.dispatchEvent('#mdbook-searchbar', 'keyup'); // mdBook searches on keyup
    const links = await page
      .waitForSelector('#mdbook-searchresults li a', { timeout: 10_000 })
      .then(() => page.$$eval('#mdbook-searchresults li a', (as) => as.map((a) => a.getAttribute('href'))))
      .catch(() => []);
    if (links.length === 0) problems.push('no search results within 10 s');
    else if (!links.some((h) => h.startsWith(SEARCH_PAGE))) {
      problems.push(`no result links to ${SEARCH_PAGE}: ${links.slice(0, 5).join(', ')}`);
    }
    detail = `${links.length} results, first ${links[0]}`;
  } catch (e) {
    problems.push(`${e.message.split('\n')[0]}`);
  }
  problems.unshift(...(opened?.problems ?? []));
  await opened?.page.close();
  report(`search "${SEARCH_WORD}"`, problems, detail);
}

await browser.close();
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
