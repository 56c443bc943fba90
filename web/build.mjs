// Bundles the console into dist/ (served by the API under /console) and the client alone into
// dist/platform-client.js, an ES module any page can import (the cross-origin browser test does).
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";

const dist = new URL("./dist/", import.meta.url);
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const common = { bundle: true, format: "esm", target: "es2022", minify: true, sourcemap: true, logLevel: "warning" };
await build({ ...common, entryPoints: ["src/main.ts"], outfile: "dist/console.js" });
await build({ ...common, entryPoints: ["../clients/typescript/src/index.ts"], outfile: "dist/platform-client.js" });
for (const file of ["index.html", "console.css"]) {
  await copyFile(new URL(`./src/${file}`, import.meta.url), new URL(file, dist));
}
