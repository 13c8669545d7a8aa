// Runs SQL in DuckDB (an in-memory database) for the tests and the bench: an independent engine
// that writes real Parquet/CSV files (TIMESTAMP, STRUCT, LIST, MAP, UUID, BLOB) and computes
// exact statistics to check ours against. Usage: node duckdb-sql.mjs "SQL; SQL; ..." or
// node duckdb-sql.mjs --file script.sql. Prints the last statement's rows as one JSON array
// (values as DuckDB's JSON conversion gives them); exit 1 with the error on stderr.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
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
