/**
 * The report page's inline stylesheet (screen and print) and its only script, which sorts tables
 * when a header button is clicked. Constants only.
 */

/** Stylesheet: a single readable column up to 1100 px, cards that wrap, print rules. */
export const PAGE_CSS = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #d9d9d9; --good: #009E73; --bad: #D55E00; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fafafa; line-height: 1.45; font-size: 15px; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 20px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 28px 0 10px; border-bottom: 2px solid var(--ink); padding-bottom: 2px; }
h3 { font-size: 1rem; margin: 0 0 6px; }
.meta, .fine, .caption { color: var(--muted); }
.fine, .caption { font-size: 0.85rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin: 8px 0 6px; }
.card { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card.focus { border-left-color: var(--accent); }
.card.good { border-left-color: var(--good); }
.card.bad { border-left-color: var(--bad); border-left-style: dashed; }
.card.oracle { border-left-color: #000; border-left-style: dotted; }
.card p { margin: 2px 0; }
.card .big { font-size: 1.45rem; font-weight: 700; }
.card .sub { font-size: 0.85rem; font-weight: 400; color: var(--muted); }
.card .verdict { font-weight: 600; }
.swatch { vertical-align: middle; margin-right: 4px; }
ul.verdict { font-size: 1.08rem; margin: 6px 0 10px; padding-left: 22px; }
ul.verdict li { margin: 3px 0; }
ul.verdict li[data-question="cost"] { font-weight: 600; }
.warn { color: var(--bad); }
.recommendations { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; }
.recommendation { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.recommendation p { margin: 2px 0 6px; font-size: 0.9rem; }
pre { background: #f3f3f3; border: 1px solid var(--line); border-radius: 4px; padding: 8px; overflow-x: auto; font-size: 0.78rem; margin: 0; }
table.settings td { white-space: normal; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 10px 0; font-size: 0.86rem; }
caption { text-align: left; color: var(--muted); padding: 4px 0; font-size: 0.85rem; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button:focus-visible { outline: 2px solid var(--accent); }
th[aria-sort="ascending"] .arrow::after { content: " ▲"; }
th[aria-sort="descending"] .arrow::after { content: " ▼"; }
#summary table, #attribution-section table { display: block; overflow-x: auto; }
.assumptions { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 28px; font-size: 0.9rem; }
.assumptions .other { grid-column: 1 / -1; }
.assumptions ul { margin: 0 0 8px; padding-left: 20px; }
@media (max-width: 800px) { .assumptions { grid-template-columns: 1fr; } }
figure.chart { margin: 18px 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
figure.chart svg { width: 100%; height: auto; display: block; }
.note { background: #fff8e1; border-left: 4px solid #E69F00; padding: 8px 10px; margin: 6px 0; }
footer { color: var(--muted); font-size: 0.8rem; padding-bottom: 30px; }
@media (max-width: 700px) { body { font-size: 14px; } .card .big { font-size: 1.2rem; } }
@media print {
  @page { size: A4; margin: 12mm; }
  body { background: #fff; font-size: 10pt; }
  header, main, footer { max-width: none; padding: 0; }
  figure.chart, .card, table, .note { break-inside: avoid; page-break-inside: avoid; }
  figure.chart, .card { border-color: #999; }
  h2 { break-after: avoid; page-break-after: avoid; }
  th button { cursor: auto; }
  .arrow { display: none; }
  #summary table, #attribution-section table { display: table; }
  th, td { white-space: normal; }
}
`;

/**
 * Sorts a table by the clicked header: numbers (cells' data-sort) numerically, text by locale;
 * a second click reverses the order. Nothing else runs on the page.
 */
export const SORT_SCRIPT = `
(function () {
  function key(td, numeric) {
    var raw = td.hasAttribute('data-sort') ? td.getAttribute('data-sort') : td.textContent.trim();
    return numeric ? Number(raw) : raw.toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var ths = table.querySelectorAll('thead th');
    ths.forEach(function (th, col) {
      th.querySelector('button').addEventListener('click', function () {
        var numeric = th.getAttribute('data-type') === 'num';
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        ths.forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      });
    });
  });
})();
`;
