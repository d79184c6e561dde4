// What the browser tests share: a real `ordo serve --db mem:// --seed-demo` on a free loopback
// port serving the built web demo, Debian's headless Chromium, and pages that collect errors.
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const demo = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repo = join(demo, "..");
export const bin = process.env.ORDO_BIN ?? join(repo, "target/debug/ordo");
export const artifacts = join(demo, "test-artifacts");
export const env = { ...process.env, ORDO_JWT_SECRET: "web-demo-test-secret-0123456789abcdefghi", ORDO_RATE_LIMIT: "0" };
assert.equal(env.ORDO_JWT_SECRET.length, 40);

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a gateway with `args` added (its log in test-artifacts/`name`.log); answers
 * { base, staffToken, stop }. It is killed when the test process exits. */
export async function startGateway(name, args) {
  mkdirSync(artifacts, { recursive: true });
  assert.ok(existsSync(bin), `${bin} missing: cargo build --workspace --all-features --bins`);
  if (!existsSync(join(demo, "dist/index.html"))) execFileSync(join(demo, "build"), { stdio: "inherit" });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = openSync(join(artifacts, `${name}.log`), "w");
  const gateway = spawn(bin, ["serve", "--db", "mem://", "--seed-demo", "--listen", `127.0.0.1:${port}`, "--web", join(demo, "dist"),
    "--public-url", base, "--shop-name", "Ordo demo shop", ...args], { env, stdio: ["ignore", log, log] });
  const stop = () => {
    if (gateway.exitCode === null) {
      gateway.kill("SIGTERM");
      setTimeout(() => gateway.exitCode === null && gateway.kill("SIGKILL"), 3000).unref();
    }
  };
  process.on("exit", stop);
  const until = Date.now() + 60_000;
  for (;;) {
    if (gateway.exitCode !== null) throw new Error(`gateway exited with ${gateway.exitCode}; see ${artifacts}/${name}.log`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > until) throw new Error(`${base}/readyz not ready after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const staffToken = execFileSync(bin, ["token", "--role", "staff"], { env, encoding: "utf8" }).trim();
  return { base, staffToken, stop };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** A page in a fresh browser context (its own storage: a device that never saw the shop). */
export async function freshPage(browser, viewport = { width: 1200, height: 900 }) {
  return watchPage(await (await browser.newContext({ viewport })).newPage());
}

/** `page` with a 15 s default timeout, collecting its errors in `page.errors`. */
export function watchPage(page) {
  page.setDefaultTimeout(15_000);
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  // A declined payment is an HTTP 400 (application/graphql-response+json), which Chromium logs.
  page.on("console", (m) => m.type() === "error" && !/status of 400/.test(m.text()) && page.errors.push(m.text()));
  return page;
}

/** GraphQL over HTTP with `token` (none: anonymous); fails the test on any error. */
export async function graphql(base, query, variables, token) {
  const headers = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const body = await (await fetch(`${base}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) })).json();
  assert.equal(body.errors, undefined, `${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
  return body.data;
}
