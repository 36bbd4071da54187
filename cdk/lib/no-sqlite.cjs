/* global module */
// Stands in for better-sqlite3 in the worker bundle (cdk/lib/worker-bundle.ts): the bundled worker
// writes step events to DynamoDB (--state-table) and carries no native module.
module.exports = function Database() {
  throw new Error('this worker bundle has no SQLite: pass --state-table (DynamoDB) for the step events');
};
