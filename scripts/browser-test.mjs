#!/usr/bin/env node
// Opens both editions of the built book in headless Chromium, English (book/book/html/, from
// `mdbook build book`) and 简体中文 (book/book/zh-CN/html/, from `scripts/i18n.sh build zh-CN`),
// and checks every page listed in book/src/SUMMARY.md in each, the way a reader sees it:
//   - the page loads with no console error, no uncaught exception, no failed request and
//     no HTTP error (nothing is ignored);
//   - the math is rendered by KaTeX: a page whose Markdown has `$` outside code has
//     `.katex` elements styled with the KaTeX fonts, no `.katex-error`, and no `$` left in
//     its visible prose (so no raw `$$…$$` or `$…$`);
//   - every <img> loaded (naturalWidth > 0), and there are as many as the Markdown has;
//   - every link to a section (page.html#id) of the book finds that id on its page (the
//     translated headings keep their English ids, so cross-references work in both editions);
//   - the language switch (book/theme/i18n.js) links to the same page in the other edition;
//   - 简体中文 pages only: every code block is the English page's, character for character, and
//     its tables have the same cells without a letter (numbers) in the same order (listings,
//     program output and the numbers of generated tables are shared, not translated);
//   - 简体中文 pages only: the page is in Chinese (its <h1> and title have CJK characters, and
//     at least a quarter of its prose's letters are CJK: code, math and names stay Latin)
//     and Chinese text is drawn with real glyphs: two different CJK strings drawn in the
//     page's font on a canvas differ (with no CJK font both are the same "tofu" boxes), and
//     so does a CJK string from a missing-glyph box;
// then that clicking the switch lands on the same chapter (and section), English → 简体中文 →
// English, and
// that the search box finds a chapter: "gradient" in English, 梯度下降 (→ chapter 5) and 注意力
// (→ chapter 7) in Chinese, with a Chinese results header and the word marked in the first
// teaser. Screenshots go to target/browser/: en/05-gradient-descent.png,
// zh-CN/05-gradient-descent.png, zh-CN/search-梯度下降.png (named search-gradient-descent.png).
// It prints one line per check and ends with `N passed, N failed` (exit status 1 if any
// failed).
//
// Both editions are served over HTTP on 127.0.0.1 (a free port) from book/book/, so the
// switch's relative links work as they do for a reader (scripts/i18n.sh serve). Needs
// playwright-core (installed by scripts/setup.sh into $AIGC_BROWSER_DIR, default
// ~/.cache/aigc-browser) and Chromium at $CHROMIUM (default /usr/bin/chromium).
// AIGC_EDITIONS=en checks the English edition alone (no switch checks).
//
//   node scripts/browser-test.mjs [BUILT_BOOKS_DIR]      (default book/book)

import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bookDir = resolve(process.argv[2] ?? join(root, 'book/book'));
const srcDir = join(root, 'book/src');
const shotDir = join(root, 'target/browser');
const browserDir = process.env.AIGC_BROWSER_DIR ?? join(homedir(), '.cache/aigc-browser');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOT_PAGE = '05-gradient-descent.html';

/** The editions: where each is served, its <html lang>, and the searches it must answer. */
const EDITIONS = [
  { id: 'en', dir: 'html/', lang: 'en', searches: [['gradient', '05-gradient-descent.html']] },
  {
    id: 'zh-CN', dir: 'zh-CN/html/', lang: 'zh-CN',
    searches: [['梯度下降', '05-gradient-descent.html'], ['注意力', '07-transformer.html']],
  },
].filter((e) => (process.env.AIGC_EDITIONS ?? 'en,zh-CN').split(',').includes(e.id));
const other = (ed) => EDITIONS.find((e) => e !== ed);

for (const ed of EDITIONS) {
  if (!existsSync(join(bookDir, ed.dir, 'index.html'))) {
    console.error(`browser-test: no ${ed.id} edition at ${join(bookDir, ed.dir)}; run \`scripts/i18n.sh build\` first`);
    process.exit(2);
  }
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

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const CJK_SHARE = 25; // per cent of a 简体中文 page's prose letters (CJK + Latin) that are CJK

/** In the page: whether CJK text is drawn with real glyphs in the font of `selector`. */
function glyphCheck(selector) {
  const el = document.querySelector(selector) ?? document.body;
  const font = `32px ${getComputedStyle(el).fontFamily}`;
  const draw = (text) => {
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 48;
    const g = canvas.getContext('2d');
    g.font = font;
    g.fillStyle = '#000';
    g.textBaseline = 'top';
    g.fillText(text, 4, 4);
    return { data: canvas.toDataURL(), width: g.measureText(text).width };
  };
  // Two different CJK strings, and a code point no font has (its "missing glyph" box).
  const a = draw('梯度');
  const b = draw('注意');
  const tofu = draw('\u{10fffd}\u{10fffd}');
  return {
    font,
    distinct: a.data !== b.data,
    notTofu: a.data !== tofu.data && b.data !== tofu.data,
    widths: [a.width, b.width, tofu.width].map((w) => Math.round(w)),
  };
}

/** Each English page's code blocks and table numbers, to compare the translation with. */
const shared = new Map();

/** The ids of a built page (read from disk once), for checking links to sections. */
const idCache = new Map();
function idsOf(path) {
  if (!idCache.has(path)) {
    const file = join(bookDir, path);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
      .replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, '&');
    idCache.set(path, new Set([...text.matchAll(/\bid="([^"]*)"/g)].map((m) => unescape(m[1]))));
  }
  return idCache.get(path);
}

/** Checks one page of one edition. */
async function checkPage(ed, md) {
  const html = md.replace(/\.md$/, '.html');
  const want = expectations(md);
  let page;
  const problems = [];
  let detail = '';
  try {
    const opened = await open(base + ed.dir + html);
    page = opened.page;
    const seen = await page.evaluate(() => {
      const main = document.querySelector('main');
      // The prose a reader sees, without code and without the rendered math itself.
      const prose = main.cloneNode(true);
      prose.querySelectorAll('pre, code, .katex, .katex-display').forEach((e) => e.remove());
      const katex = main.querySelector('.katex');
      const text = prose.textContent;
      return {
        title: document.title,
        lang: document.documentElement.lang,
        h1: main.querySelector('h1')?.textContent ?? '',
        cjk: (text.match(/[\u3400-\u4dbf\u4e00-\u9fff]/g) ?? []).length,
        latin: (text.match(/[A-Za-z]/g) ?? []).length,
        katex: main.querySelectorAll('.katex').length,
        katexErrors: main.querySelectorAll('.katex-error').length,
        katexFont: katex ? getComputedStyle(katex).fontFamily : '',
        katexFontLoaded: document.fonts.check('16px KaTeX_Main'),
        dollars: (text.match(/.{0,30}\$.{0,30}/g) ?? []).slice(0, 3),
        // mdBook 0.5 writes every image twice (inline, and hidden for its zoom view).
        images: [...document.images].map((i) => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 })),
        switchHref: document.querySelector('#aigc-language-switch')?.href ?? null,
        sectionLinks: [...main.querySelectorAll('a[href*="#"]')].map((a) => a.href),
        code: [...main.querySelectorAll('pre')].map((e) => e.textContent),
        // The cells without a letter (numbers, "—"): never in the catalog, the same in both.
        tableNumbers: [...main.querySelectorAll('table')].map((t) => [...t.querySelectorAll('td, th')]
          .map((c) => c.textContent.trim()).filter((c) => !/\p{L}/u.test(c)).join(' | ')),
      };
    });
    problems.push(...opened.problems);
    if (/^Page not found/i.test(seen.title)) problems.push('mdBook\'s 404 page');
    if (seen.lang !== ed.lang) problems.push(`<html lang="${seen.lang}">, not ${ed.lang}`);
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
    let sections = 0;
    for (const href of seen.sectionLinks) {
      const [url, hash] = href.split('#');
      if (!url.startsWith(base + ed.dir) || !hash) continue; // another site, or the other edition
      sections += 1;
      const id = decodeURIComponent(hash);
      const target = url.slice(base.length);
      if (!idsOf(target).has(id)) problems.push(`link to a missing section: ${target}#${id}`);
    }
    detail = `${seen.katex} math, ${images} images, ${sections} section links`;
    const to = other(ed);
    if (to) {
      const expected = base + to.dir + html;
      if (seen.switchHref !== expected) problems.push(`language switch links to ${seen.switchHref}, not ${expected}`);
    }
    shared.set(`${ed.id} ${html}`, { code: seen.code, tableNumbers: seen.tableNumbers });
    const en = shared.get(`en ${html}`);
    if (ed.id !== 'en' && en) {
      const diff = (a, b) => a.findIndex((x, i) => x !== b[i]);
      if (seen.code.length !== en.code.length) problems.push(`${seen.code.length} code blocks, the English page has ${en.code.length}`);
      else if (diff(seen.code, en.code) >= 0) {
        const i = diff(seen.code, en.code);
        problems.push(`code block ${i + 1} differs from the English page's: "${seen.code[i].slice(0, 60)}"`);
      }
      if (seen.tableNumbers.length !== en.tableNumbers.length) problems.push(`${seen.tableNumbers.length} tables, the English page has ${en.tableNumbers.length}`);
      else if (diff(seen.tableNumbers, en.tableNumbers) >= 0) {
        const i = diff(seen.tableNumbers, en.tableNumbers);
        problems.push(`table ${i + 1} has other number cells than the English page's: ${seen.tableNumbers[i].slice(0, 80)} vs ${en.tableNumbers[i].slice(0, 80)}`);
      }
      detail += `, ${seen.code.length} code blocks and ${seen.tableNumbers.length} tables as in English`;
    }
    if (ed.id === 'zh-CN') {
      if (!CJK.test(seen.h1) || !CJK.test(seen.title)) {
        problems.push(`not in Chinese: <h1> "${seen.h1.slice(0, 40)}", title "${seen.title.slice(0, 40)}"`);
      }
      const glyphs = await page.evaluate(glyphCheck, 'main p');
      if (!glyphs.distinct || !glyphs.notTofu) {
        problems.push(`no CJK glyphs in ${glyphs.font} (different strings draw alike: ${!glyphs.distinct}, like a missing-glyph box: ${!glyphs.notTofu}; install fonts-noto-cjk)`);
      }
      // Code, math and names (dfdx, Rust) stay Latin; translated pages measure 40–95 %, an
      // untranslated page whose <h1> matches a translated SUMMARY title about 1 %.
      const share = Math.round((100 * seen.cjk) / Math.max(1, seen.cjk + seen.latin));
      if (share < CJK_SHARE) problems.push(`mostly untranslated: ${share}% of the prose's letters are CJK (at least ${CJK_SHARE}% expected)`);
      detail += `, ${share}% CJK letters`;
    }
  } catch (e) {
    problems.push(`${e.message.split('\n')[0]}`);
  }
  if (html === SHOT_PAGE && problems.length === 0) {
    const shot = join(shotDir, ed.id, html.replace(/\.html$/, '.png'));
    mkdirSync(dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    detail += `, screenshot ${shot.slice(root.length + 1)}`;
  }
  await page?.close();
  report(`${ed.id} ${html}`, problems, detail);
}

/** Search as a reader does: the `s` key, type a word, read the result links. */
async function checkSearch(ed, word, wantPage, shotName) {
  const problems = [];
  let detail = '';
  let opened;
  try {
    opened = await open(base + ed.dir + 'index.html');
    const { page } = opened;
    await page.keyboard.press('s');
    await page.waitForSelector('#mdbook-searchbar', { state: 'visible', timeout: 10_000 });
    await page.fill('#mdbook-searchbar', word);
    await page.dispatchEvent('#mdbook-searchbar', 'keyup'); // mdBook searches on keyup
    const links = await page
      .waitForSelector('#mdbook-searchresults li a', { timeout: 10_000 })
      .then(() => page.$$eval('#mdbook-searchresults li a', (as) => as.map((a) => a.getAttribute('href'))))
      .catch(() => []);
    // The chapter must come first among the pages found (its sections may fill several rows).
    const firstPage = links[0]?.split(/[?#]/)[0];
    if (links.length === 0) problems.push('no search results within 10 s');
    else if (firstPage !== wantPage) problems.push(`first result is ${links[0]}, not in ${wantPage}; results: ${links.slice(0, 5).join(', ')}`);
    const header = await page.textContent('#mdbook-searchresults-header').catch(() => '');
    if (ed.id === 'zh-CN' && !CJK.test(header)) problems.push(`the results' header is not in Chinese: "${header}"`);
    // The first result's teaser marks the word itself (mdBook marks whole clauses in Chinese).
    const marked = await page.$$eval('#mdbook-searchresults li:first-child .teaser em', (es) => es.map((e) => e.textContent));
    if (ed.id === 'zh-CN' && !marked.includes(word)) problems.push(`the first teaser marks ${JSON.stringify(marked.slice(0, 3))}, not "${word}"`);
    detail = `${links.length} results, first ${links[0]}, "${header.trim()}"`;
    if (shotName && problems.length === 0) {
      const shot = join(shotDir, ed.id, shotName);
      mkdirSync(dirname(shot), { recursive: true });
      await page.screenshot({ path: shot });
      detail += `, screenshot ${shot.slice(root.length + 1)}`;
    }
  } catch (e) {
    problems.push(`${e.message.split('\n')[0]}`);
  }
  problems.unshift(...(opened?.problems ?? []));
  await opened?.page.close();
  report(`${ed.id} search "${word}"`, problems, detail);
}

/** Clicks the switch on `html` in `from`, then on the page it lands on: back where it began. */
async function checkSwitch(from, html, hash = '') {
  const to = other(from);
  const problems = [];
  let opened;
  const landed = [];
  try {
    opened = await open(base + from.dir + html + hash);
    const { page } = opened;
    for (const ed of [to, from]) {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#aigc-language-switch')]);
      const url = page.url().split(/[?#]/)[0];
      const landedHash = new URL(page.url()).hash;
      const lang = await page.evaluate(() => document.documentElement.lang);
      landed.push(`${lang}:${url.slice(base.length)}${landedHash}`);
      if (url !== base + ed.dir + html) problems.push(`landed on ${url}, not ${base + ed.dir + html}`);
      if (lang !== ed.lang) problems.push(`landed on <html lang="${lang}">, not ${ed.lang}`);
      if (landedHash !== hash) problems.push(`landed on section "${landedHash}", not "${hash}"`);
      if (hash && !(await page.evaluate((id) => !!document.getElementById(id), decodeURIComponent(hash.slice(1))))) {
        problems.push(`no section ${hash} on the page it landed on`);
      }
    }
  } catch (e) {
    problems.push(`${e.message.split('\n')[0]}`);
  }
  problems.unshift(...(opened?.problems ?? []));
  await opened?.page.close();
  report(`switch ${from.id} → ${to.id} → ${from.id} on ${html}`, problems, landed.join(' → '));
}

for (const ed of EDITIONS) {
  for (const md of chapters) await checkPage(ed, md);
  for (const [word, wantPage] of ed.searches) {
    await checkSearch(ed, word, wantPage, ed.id === 'zh-CN' && wantPage === SHOT_PAGE ? 'search-gradient-descent.png' : null);
  }
}
if (EDITIONS.length === 2) {
  for (const html of [SHOT_PAGE, 'index.html']) await checkSwitch(EDITIONS[0], html);
  await checkSwitch(EDITIONS[0], SHOT_PAGE, '#the-update-rule');
  await checkSwitch(EDITIONS[1], '07-transformer.html');
  await checkSwitch(EDITIONS[1], 'appendix-math.html', '#the-transpose');
}

await browser.close();
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
