// Shared helpers for the ordo-wasm tests: the built package and the shared fixtures.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const wasmDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = join(wasmDir, "..");
/** The storefront module (`ordo-wasm`). */
export const ordo = await import(join(wasmDir, "pkg/node/index.mjs"));
/** The order module (`ordo-wasm/orders`). */
export const orders = await import(join(wasmDir, "pkg/node/orders.mjs"));
/** The message module (`ordo-wasm/messages`). */
export const messages = await import(join(wasmDir, "pkg/node/messages.mjs"));

/** Every JSON fixture in core/tests/fixtures/<kind>, as [name, parsed]. */
export function fixtures(kind) {
  const dir = join(repoDir, "core/tests/fixtures", kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), "utf8"))]);
}
