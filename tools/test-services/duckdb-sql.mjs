// Runs SQL in DuckDB (an in-memory database) for the tests and the bench: an independent engine
// that writes real Parquet/CSV files (TIMESTAMP, STRUCT, LIST, MAP, UUID, BLOB) and computes
// exact statistics to check ours against. Usage: node duckdb-sql.mjs "SQL; SQL; ..." or
// node duckdb-sql.mjs --file script.sql. Prints the last statement's rows as one JSON array
// (values as DuckDB's JSON conversion gives them); exit 1 with the error on stderr.
// node duckdb-sql.mjs --summarize FILE [threads]: the validate bench's peer. Times DuckDB's
// SUMMARIZE of the file (best of 3 runs, each a fresh database) and prints
// {"seconds": [...], "peakRssMb": n, "columns": n}.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
if (args[0] === '--summarize') {
  const seconds = [];
  let columns = 0;
  for (let run = 0; run < 3; run++) {
    const db = await DuckDBInstance.create(':memory:', { threads: args[2] ?? '2' });
    const connection = await db.connect();
    const started = performance.now();
    const reader = await connection.runAndReadAll(`summarize select * from '${args[1].replaceAll("'", "''")}'`);
    seconds.push((performance.now() - started) / 1000);
    columns = reader.getRowObjects().length;
    connection.closeSync();
  }
  process.stdout.write(JSON.stringify({ seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), columns }) + '\n');
  process.exit(0);
}
const sql = args[0] === '--file' ? readFileSync(args[1], 'utf8') : args.join('\n');
try {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const reader = await connection.runAndReadAll(sql);
  process.stdout.write(JSON.stringify(reader.getRowObjectsJson()) + '\n');
} catch (e) {
  process.stderr.write(`duckdb: ${e.message}\n`);
  process.exit(1);
}
