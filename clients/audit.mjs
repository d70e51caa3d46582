// GraphQL-over-HTTP compliance: runs every server audit of the graphql-http
// package against a running Stillroom and fails on any MUST that fails.
// SHOULD and MAY findings are printed as warnings.
//
// Usage: node audit.mjs http://127.0.0.1:8080/graphql
import { serverAudits } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs <graphql url>");
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failures = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  if (result.status === "ok") {
    console.log(`ok     ${result.id} ${result.name}`);
    continue;
  }
  const label = result.status === "error" ? "FAIL  " : `${result.status.padEnd(6)} `;
  console.log(`${label} ${result.id} ${result.name}\n         ${result.reason}`);
  if (result.response) {
    const body = await result.response.text().catch(() => "");
    console.log(`         HTTP ${result.response.status} ${result.response.headers.get("content-type") ?? ""} ${body.slice(0, 300)}`);
  }
  if (result.status === "error") {
    failures.push(result);
  }
}

console.log(
  `\ngraphql-http audits: ${counts.ok} ok, ${counts.warn} warnings, ${counts.notice} notices, ${counts.error} MUST failures`,
);
if (failures.length > 0) {
  console.error(`audit.mjs: ${failures.length} MUST requirement(s) failed: ${failures.map((f) => f.id).join(", ")}`);
  process.exit(1);
}
