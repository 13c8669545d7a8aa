// Parses every ```mermaid block of the Markdown files given as arguments with mermaid's own
// parser (the one GitHub's renderer uses), in Node through jsdom: no browser needed.
// Prints one JSON line per block: {"file", "block", "ok", "type" | "error"}; exits 1 if any fails.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/^```mermaid\n([\s\S]*?)^```/gm)].map(m => m[1]);
  for (const [i, block] of blocks.entries()) {
    try {
      const result = await mermaid.parse(block);
      console.log(JSON.stringify({ file, block: i, ok: true, type: result.diagramType }));
    } catch (e) {
      failed++;
      console.log(JSON.stringify({ file, block: i, ok: false, error: String(e.message ?? e).split('\n').slice(0, 3).join(' ') }));
    }
  }
}
process.exit(failed ? 1 : 0);
