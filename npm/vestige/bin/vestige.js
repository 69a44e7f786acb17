#!/usr/bin/env node
// The `vestige` command of the npm package: finds the binary that npm installed for this OS and
// CPU (one optional dependency per platform, as biome and esbuild ship) and runs it, passing the
// arguments, the standard streams, the exit code and signals through. Nothing is downloaded.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

// The platform packages, by `${process.platform}-${process.arch}`; npm/stage.mjs generates them.
const PLATFORMS = {
  "linux-x64": "@vestige/cli-linux-x64",
  "linux-arm64": "@vestige/cli-linux-arm64",
  "darwin-x64": "@vestige/cli-darwin-x64",
  "darwin-arm64": "@vestige/cli-darwin-arm64",
  "win32-x64": "@vestige/cli-win32-x64",
};

/** Prints why vestige cannot run and exits with 2, vestige's code for "could not do its job". */
function fail(message) {
  process.stderr.write(`vestige (npm): ${message}\n`);
  process.exit(2);
}

/** The path of the vestige binary: VESTIGE_BINARY if set, else the platform package's. */
function binaryPath() {
  if (process.env.VESTIGE_BINARY) {
    return process.env.VESTIGE_BINARY;
  }
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PLATFORMS[platform];
  if (!pkg) {
    fail(
      `no prebuilt binary for ${platform}. Build one with ` +
        "`cargo install --locked --path .` in a checkout of vestige and set VESTIGE_BINARY to it."
    );
  }
  const exe = process.platform === "win32" ? "vestige.exe" : "vestige";
  try {
    return require.resolve(`${pkg}/bin/${exe}`, { paths: [path.join(__dirname, "..")] });
  } catch {
    fail(
      `the package ${pkg}, which holds the binary for ${platform}, is not installed. ` +
        "It is an optional dependency of vestige: reinstall without --omit=optional / --no-optional."
    );
  }
}

const child = spawn(binaryPath(), process.argv.slice(2), { stdio: "inherit" });

// A signal sent to this process (a CI timeout, `kill`) goes on to vestige; vestige's own end decides
// how this process ends. A Ctrl-C in a terminal reaches both already; passing it on is harmless.
const forwarded = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGBREAK"].filter(
  (signal) => process.platform === "win32" || signal !== "SIGBREAK"
);
const handlers = forwarded.map((signal) => {
  const handler = () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
  };
  process.on(signal, handler);
  return [signal, handler];
});

child.on("error", (error) => fail(`cannot run ${child.spawnfile}: ${error.message}`));
child.on("exit", (code, signal) => {
  for (const [name, handler] of handlers) {
    process.removeListener(name, handler);
  }
  if (signal) {
    // Die of the same signal, so that the caller sees what vestige saw.
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 2 : code);
});
