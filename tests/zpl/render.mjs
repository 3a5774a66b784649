// ZPL on stdin -> one PNG per ^XA…^XZ label, written as OUT_DIR/label-N.png.
// Usage: node render.mjs OUT_DIR WIDTH_MM HEIGHT_MM DOTS_PER_MM < labels.zpl
import fs from "node:fs";
import path from "node:path";
import { ready } from "zpl-renderer-js";

const [outDir, widthMm, heightMm, dpmm] = process.argv.slice(2);
const zpl = fs.readFileSync(0, "utf8");
const { api } = await ready;
const images = await api.zplToBase64MultipleAsync(zpl, Number(widthMm), Number(heightMm), Number(dpmm));
fs.mkdirSync(outDir, { recursive: true });
images.forEach((image, n) => fs.writeFileSync(path.join(outDir, `label-${n + 1}.png`), Buffer.from(image, "base64")));
console.log(images.length);
// The renderer's Go runtime keeps the event loop alive; the work is done.
process.exit(0);
