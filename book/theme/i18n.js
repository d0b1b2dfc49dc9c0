// Two things the 简体中文 edition needs, loaded on every page of both editions (book.toml:
// output.html.additional-js). mdBook sets <html lang> from book.language, so one file serves
// both editions.
//
// 1. A language switch in the menu bar (English ↔ 简体中文) that opens the same page in the
//    other edition. The editions are built side by side (scripts/i18n.sh build):
//        book/book/html/<page>           English
//        book/book/zh-CN/html/<page>     简体中文
//    so the other edition's page is path_to_root + "../zh-CN/html/<page>" from English and
//    path_to_root + "../../html/<page>" from Chinese, over http:// and file:// alike. Headings
//    have the same ids in both editions (book/po/preprocess.py gives the translated headings
//    their English ids), so the switch keeps the section the reader is at (#anchor).
//
// 2. Chinese words in the search box. mdBook's index splits text at spaces and hyphens only
//    (mdBook issues #1081, #2393), and elasticlunr's query pipeline trims every non-ASCII
//    character, so "梯度下降" finds nothing. A query with CJK characters is answered here
//    instead, from the same index file: the query is cut into overlapping character bigrams
//    (梯度下降 → 梯度, 度下, 下降; a lone character stays itself; Latin words stay words), each
//    section of the book (elasticlunr's document store: title, body, breadcrumbs) is scored
//    by how often it contains each term (weighted by the field boosts of book.toml's search
//    settings and by how rare the term is across sections), the whole phrase counting extra,
//    and mdBook's searcher shows the results as usual. Queries without CJK characters go to
//    elasticlunr unchanged.
(function () {
  'use strict';
  const zh = /^zh\b/i.test(document.documentElement.lang || '');

  // 1. The switch.
  const bar = document.querySelector('#mdbook-menu-bar .right-buttons, .right-buttons');
  if (bar && typeof path_to_root === 'string') {
    const root = new URL(path_to_root || './', window.location.href);
    let page = window.location.pathname.slice(root.pathname.length);
    if (!window.location.pathname.startsWith(root.pathname)) page = '';
    const other = new URL((zh ? '../../html/' : '../zh-CN/html/') + page, root);
    const link = document.createElement('a');
    link.id = 'aigc-language-switch';
    link.className = 'aigc-language-switch';
    link.href = other.href;
    link.hreflang = zh ? 'en' : 'zh-CN';
    link.lang = link.hreflang;
    link.textContent = zh ? 'English' : '简体中文';
    link.title = zh ? 'Read this page in English' : '阅读本页的简体中文版';
    link.setAttribute('aria-label', link.title);
    // The section may have changed since the page loaded (a header link, the sidebar).
    const follow = () => { link.href = other.href.split('#')[0] + window.location.hash; };
    link.addEventListener('click', follow);
    window.addEventListener('hashchange', follow);
    bar.insertBefore(link, bar.firstChild);
  }

  // 2. CJK search.
  const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/;
  const CJK_RUNS = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+|[^\s\u3000-\u303f\uff00-\uffef\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+/g;

  /** The query's terms: CJK runs as overlapping bigrams, other words lower-cased. */
  function terms(query) {
    const out = new Set();
    const phrases = [];
    for (const run of query.toLowerCase().match(CJK_RUNS) ?? []) {
      if (!CJK.test(run)) {
        const word = run.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
        if (word) out.add(word);
      } else if (run.length === 1) {
        out.add(run);
      } else {
        phrases.push(run);
        for (let i = 0; i + 2 <= run.length; i += 1) out.add(run.slice(i, i + 2));
      }
    }
    return { terms: [...out], phrases };
  }

  function count(text, term) {
    let n = 0;
    for (let i = text.indexOf(term); i !== -1; i = text.indexOf(term, i + term.length)) n += 1;
    return n;
  }

  function cjkSearch(index, query, config) {
    const { terms: ts, phrases } = terms(query);
    if (ts.length === 0) return [];
    const fields = (config && config.fields) || { title: { boost: 2 }, body: { boost: 1 }, breadcrumbs: { boost: 1 } };
    const all = (config && config.bool) === 'AND';
    const docs = Object.entries(index.documentStore.docs || {});
    const lower = docs.map(([ref, doc]) => [ref, doc, Object.fromEntries(
      Object.keys(fields).map((f) => [f, String(doc[f] ?? '').toLowerCase()]))]);
    // How rare each term is: a term found in every section says little.
    const idf = Object.fromEntries(ts.map((t) => {
      const df = lower.filter(([, , text]) => Object.values(text).some((v) => v.includes(t))).length;
      return [t, Math.log(1 + docs.length / (1 + df))];
    }));
    const results = [];
    for (const [ref, doc, text] of lower) {
      let score = 0;
      let found = 0;
      for (const t of ts) {
        let inDoc = false;
        for (const [f, { boost = 1 } = {}] of Object.entries(fields)) {
          const n = count(text[f], t);
          if (n > 0) {
            inDoc = true;
            score += boost * idf[t] * (1 + Math.log(n));
          }
        }
        if (inDoc) found += 1;
      }
      if (found === 0 || (all && found < ts.length)) continue;
      for (const p of phrases) {
        for (const [f, { boost = 1 } = {}] of Object.entries(fields)) {
          const n = count(text[f], p);
          if (n > 0) score += 3 * boost * p.length * (1 + Math.log(n));
        }
      }
      results.push({ ref, score: score * (found / ts.length), doc });
    }
    return results.sort((a, b) => b.score - a.score);
  }

  if (window.elasticlunr && window.elasticlunr.Index) {
    const search = window.elasticlunr.Index.prototype.search;
    window.elasticlunr.Index.prototype.search = function (query, config) {
      if (typeof query === 'string' && CJK.test(query)) return cjkSearch(this, query, config);
      return search.call(this, query, config);
    };
  }
  // mdBook's search header is English in both editions ("3 search results for 'x':"); the
  // Chinese edition says it in Chinese.
  const header = document.getElementById('mdbook-searchresults-header');
  if (zh && header && window.MutationObserver) {
    const say = () => {
      const m = /^(\d+) search results? for '(.*)':$/.exec(header.textContent);
      const none = /^No search results for '(.*)'\.$/.exec(header.textContent);
      if (m) header.textContent = `“${m[2]}”的搜索结果：${m[1]} 条`;
      else if (none) header.textContent = `没有找到“${none[1]}”。`;
    };
    new MutationObserver(say).observe(header, { childList: true, characterData: true, subtree: true });
  }

  // mdBook marks the teaser's words that start with a query word, and a Chinese "word" is a
  // whole clause: mark the query's Chinese phrases (or, where a phrase is not there, its
  // bigrams) instead.
  const results = document.getElementById('mdbook-searchresults');
  const bar2 = document.getElementById('mdbook-searchbar');
  if (results && bar2 && window.MutationObserver) {
    const escape = (t) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const mark = () => {
      const query = bar2.value;
      if (!CJK.test(query)) return;
      const { terms: ts, phrases } = terms(query);
      for (const teaser of results.querySelectorAll('.teaser:not([data-aigc-marked])')) {
        teaser.setAttribute('data-aigc-marked', '');
        const text = teaser.textContent;
        const found = phrases.filter((p) => text.includes(p));
        const words = (found.length ? found : ts).filter((t) => CJK.test(t)).sort((a, b) => b.length - a.length);
        if (words.length === 0) continue;
        const re = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
        let html = '';
        let last = 0;
        for (const m of text.matchAll(re)) {
          html += escape(text.slice(last, m.index)) + '<em>' + escape(m[0]) + '</em>';
          last = m.index + m[0].length;
        }
        teaser.innerHTML = html + escape(text.slice(last));
      }
    };
    new MutationObserver(mark).observe(results, { childList: true });
  }

  // For the browser test (scripts/browser-test.mjs) and the curious: the query's terms.
  window.aigcSearchTerms = terms;
})();
