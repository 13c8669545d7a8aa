// Validates Kubernetes manifests with kubernetes-models (the API's own OpenAPI schemas): one JSON
// line per document, {"file", "doc", "kind", "ok", "error"}; custom resources (KServe) are
// reported with "custom": true for the caller to check. Exit 1 when a document is invalid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const loaders = {
  "apps/v1": () => import("kubernetes-models/apps/v1"),
  "v1": () => import("kubernetes-models/v1"),
  "autoscaling/v2": () => import("kubernetes-models/autoscaling/v2"),
  "policy/v1": () => import("kubernetes-models/policy/v1"),
};

let failed = false;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const [i, doc] of docs.entries()) {
    const out = { file, doc: i };
    try {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join("; "));
      const value = doc.toJS();
      out.kind = `${value.apiVersion}/${value.kind}`;
      const load = loaders[value.apiVersion];
      if (!load) {
        out.custom = true;
        out.ok = true;
      } else {
        const models = await load();
        const Model = models[value.kind];
        if (!Model) throw new Error(`unknown kind ${value.kind} in ${value.apiVersion}`);
        new Model(value).validate();
        out.ok = true;
      }
    } catch (e) {
      out.ok = false;
      out.error = String(e.message ?? e).slice(0, 2000);
      failed = true;
    }
    console.log(JSON.stringify(out));
  }
}
process.exit(failed ? 1 : 0);
