import { defineConfig } from "@playwright/test";

// The release server on its own port with a fresh SQLite database per run; the demo store and
// the Zarinpal simulator are seeded by the server itself in sandbox mode.
const port = process.env.E2E_PORT ?? "3100";
// Cargo builds the binary under CARGO_TARGET_DIR when it is set (a CI may share one between
// clones); cargo-leptos writes the site into the project's own target/ either way.
const release = `${process.env.CARGO_TARGET_DIR ?? "../target"}/release`;
const base = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  retries: 0,
  workers: 2,
  reporter: process.env.CI ? [["line"], ["./failures-reporter.ts"]] : "list",
  use: {
    baseURL: base,
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: `rm -rf ../target/e2e && mkdir -p ../target/e2e && ${release}/kassa`,
    url: `${base}/track`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "../target/site",
      DATABASE_URL: "sqlite://../target/e2e/kassa.db?mode=rwc",
      KASSA_DATA_DIR: "../target/e2e",
      RUST_LOG: "warn",
      KASSA_SANDBOX: "1",
      // Every test signs up its own store, all from this machine.
      KASSA_SIGN_UPS_PER_HOUR: "1000",
    },
  },
});
