// Generates src/lib/api/schema.d.ts from the server's OpenAPI document, or with --check fails
// when the committed file is stale. The document comes from `gathering openapi` (the binary at
// $GATHERING_BIN, default ../target/debug/gathering), so no server has to run.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const target = resolve(root, "src/lib/api/schema.d.ts");
const bin = process.env.GATHERING_BIN ?? resolve(root, "../target/debug/gathering");
const check = process.argv.includes("--check");

const document = JSON.parse(execFileSync(bin, ["openapi"], { encoding: "utf8", maxBuffer: 64 << 20 }));
const ast = await openapiTS(document, { alphabetize: true, emptyObjectsUnknown: true });
const header = "// Generated from the server's OpenAPI document by `npm run api-types`. Do not edit.\n\n";
const generated = header + astToString(ast);

if (check) {
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {
    // missing counts as stale
  }
  if (committed !== generated) {
    console.error("src/lib/api/schema.d.ts is stale: the API changed. Run `npm run api-types` in dashboard/ and commit the result.");
    process.exit(1);
  }
  console.log("API types are up to date.");
} else {
  writeFileSync(target, generated);
  console.log(`wrote ${target}`);
}
