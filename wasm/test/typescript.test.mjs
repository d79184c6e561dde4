// TypeScript: the packed package, installed into a strict TypeScript project (wasm/test/consumer/),
// type-checks the README's example and every documented call of both modules, and refuses the wrong
// ones, as a Vite app (bundler resolution, browser build) and as a Node app (its Node build).
// TypeScript is pinned in consumer/package-lock.json: installed once (npm ci), then offline.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const wasmDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const consumer = join(wasmDir, "test/consumer");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const quiet = ["--no-audit", "--no-fund", "--loglevel=error"];

/** Whether every package the consumer's lock file names for this machine is installed at its version. */
function installed() {
  const lock = JSON.parse(readFileSync(join(consumer, "package-lock.json"), "utf8"));
  return Object.entries(lock.packages)
    .filter(([path, p]) => path !== "" && !p.optional)
    .every(([path, p]) => {
      const file = join(consumer, path, "package.json");
      return existsSync(file) && JSON.parse(readFileSync(file, "utf8")).version === p.version;
    });
}

before(() => {
  assert.ok(existsSync(join(wasmDir, "pkg/package.json")), "wasm/pkg is missing: run wasm/build");
  if (!installed()) execFileSync(npm, ["ci", ...quiet], { cwd: consumer, stdio: "inherit" });
  // The tarball a registry would serve, installed as a dependency is (not saved: the lock file pins
  // only the tools, and the tarball changes with every build).
  const dir = mkdtempSync(join(tmpdir(), "ordo-wasm-pack-"));
  try {
    const [{ filename }] = JSON.parse(
      execFileSync(npm, ["pack", join(wasmDir, "pkg"), "--pack-destination", dir, "--json", ...quiet], { encoding: "utf8" }),
    );
    execFileSync(npm, ["install", "--no-save", "--offline", ...quiet, join(dir, filename)], { cwd: consumer, stdio: "pipe" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The README's first example, exactly as written there.
  const readme = readFileSync(join(wasmDir, "npm/README.md"), "utf8");
  const example = readme.match(/```js\n([\s\S]*?)```/)[1];
  writeFileSync(join(consumer, "readme.ts"), `// Written by wasm/test/typescript.test.mjs from wasm/npm/README.md.\n${example}`);
});

/** Runs `tsc --noEmit --strict` over the consumer with `config`; fails with tsc's report. */
function typeCheck(config) {
  const tsc = join(consumer, "node_modules/typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", config, "--noEmit", "--strict", "--pretty", "false"], {
    cwd: consumer,
    encoding: "utf8",
  });
  assert.equal(run.status, 0, `tsc -p ${config} reported:\n${run.stdout}${run.stderr}`);
}

test("the packed package type-checks strictly in a Vite + TypeScript project, README example included", () => {
  typeCheck("tsconfig.json");
});

test("the packed package type-checks strictly in a Node ES module project, against its Node build", () => {
  typeCheck("tsconfig.node.json");
});
