import { checkFigures, launchChromium, openReport } from './test/unit/report/browser.js';
const b = await launchChromium();
const { page, consoleErrors } = await openReport(b, process.argv[2]);
for (const f of await checkFigures(page)) console.log(f.id, f.expectedColors.join(','), '|', f.drawnColors.join(','), f.missing);
console.log(consoleErrors);
await b.close();
