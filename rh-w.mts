import { writeHtmlReport } from './src/adapters/report/index.js';
const t0 = Date.now();
console.log(await writeHtmlReport(process.argv[2]), Date.now() - t0, 'ms');
