#!/usr/bin/env node
// Writes the npm packages, ready for `npm pack` / `npm publish`, into OUT_DIR:
//   OUT_DIR/vestige            the launcher (npm/vestige), with one optional dependency per platform
//   OUT_DIR/cli-<platform>     one package per binary given, from the template in npm/platform
// Every version is Cargo.toml's, so the crate, the wheel and the npm packages cannot drift apart.
// The platforms are the launcher's own table, so the launcher and the packages cannot either.
//
//   node npm/stage.mjs OUT_DIR [PLATFORM=BINARY]...    e.g. linux-x64=target/release/vestige
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const npmDir = dirname(fileURLToPath(import.meta.url));
const repo = dirname(npmDir);

function die(message) {
  process.stderr.write(`npm/stage.mjs: ${message}\n`);
  process.exit(2);
}

const [outDir, ...binaryArgs] = process.argv.slice(2);
if (!outDir) die("usage: node npm/stage.mjs OUT_DIR [PLATFORM=BINARY]...");

const cargo = readFileSync(join(repo, "Cargo.toml"), "utf8");
const version = /^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m.exec(cargo)?.[1];
if (!version) die("no version in the [package] table of Cargo.toml");

const launcherJs = readFileSync(join(npmDir, "vestige/bin/vestige.js"), "utf8");
const platforms = new Map(
  [...launcherJs.matchAll(/^\s*"([a-z0-9]+)-([a-z0-9]+)": "(@[^"]+)",$/gm)].map(
    ([, os, cpu, name]) => [`${os}-${cpu}`, { os, cpu, name }]
  )
);
if (platforms.size === 0) die("no platform table found in npm/vestige/bin/vestige.js");

const writeJson = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

// The launcher package.
const launcherOut = join(outDir, "vestige");
mkdirSync(join(launcherOut, "bin"), { recursive: true });
const base = JSON.parse(readFileSync(join(npmDir, "vestige/package.json"), "utf8"));
const launcher = { name: base.name, version, ...base };
launcher.optionalDependencies = Object.fromEntries(
  [...platforms.values()].map(({ name }) => [name, version])
);
writeJson(join(launcherOut, "package.json"), launcher);
copyFileSync(join(npmDir, "vestige/bin/vestige.js"), join(launcherOut, "bin/vestige.js"));
chmodSync(join(launcherOut, "bin/vestige.js"), 0o755);
copyFileSync(join(repo, "README.md"), join(launcherOut, "README.md"));
console.log(`${launcherOut}: vestige@${version}`);

// One package per binary given.
const template = readFileSync(join(npmDir, "platform/package.json"), "utf8");
const readme = readFileSync(join(npmDir, "platform/README.md"), "utf8");
for (const arg of binaryArgs) {
  const [platform, binary] = arg.split(/=(.*)/s);
  const entry = platforms.get(platform);
  if (!entry || !binary) {
    die(`${arg}: expected PLATFORM=BINARY with PLATFORM one of ${[...platforms.keys()].join(", ")}`);
  }
  const exe = entry.os === "win32" ? "vestige.exe" : "vestige";
  const fill = (text) =>
    text
      .replaceAll("{platform}", platform)
      .replaceAll("{os}", entry.os)
      .replaceAll("{cpu}", entry.cpu)
      .replaceAll("{exe}", exe);
  const filled = JSON.parse(fill(template));
  if (filled.name !== entry.name) {
    die(`${platform}: the template names ${filled.name}, the launcher expects ${entry.name}`);
  }
  const pkg = { name: filled.name, version, ...filled };
  const out = join(outDir, `cli-${platform}`);
  mkdirSync(join(out, "bin"), { recursive: true });
  writeJson(join(out, "package.json"), pkg);
  writeFileSync(join(out, "README.md"), fill(readme));
  copyFileSync(binary, join(out, "bin", exe));
  chmodSync(join(out, "bin", exe), 0o755);
  console.log(`${out}: ${pkg.name}@${version}`);
}
