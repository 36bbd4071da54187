import { writeFixtureDir } from './test/unit/report/fixture.js';
import { writeHtmlReport } from './src/adapters/report/index.js';
await writeFixtureDir('/tmp/rh/fx');
console.log(await writeHtmlReport('/tmp/rh/fx'));
