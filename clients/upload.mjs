// A real JavaScript client uploading through the GraphQL multipart request
// spec, as a browser or a photographer's tool does: extract-files finds the
// File values in the operation, FormData carries them, fetch sends them with
// the preflight header. It signs in, uploads generated PNGs and checks each
// returned asset against the bytes it sent.
//
// Usage: STILLROOM_ADMIN_EMAIL=... STILLROOM_ADMIN_PASSWORD=... node upload.mjs http://127.0.0.1:8080
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import extractFiles from "extract-files/extractFiles.mjs";
import isExtractableFile from "extract-files/isExtractableFile.mjs";

const base = process.argv[2];
const email = process.env.STILLROOM_ADMIN_EMAIL;
const password = process.env.STILLROOM_ADMIN_PASSWORD;
if (!base || !email || !password) {
  console.error("usage: STILLROOM_ADMIN_EMAIL=... STILLROOM_ADMIN_PASSWORD=... node upload.mjs <server url>");
  process.exit(2);
}
const endpoint = new URL("/graphql", base).href;

function fail(message, detail) {
  console.error(`upload.mjs: ${message}`);
  if (detail !== undefined) console.error(JSON.stringify(detail, null, 2));
  process.exit(1);
}

// --- PNG bytes --------------------------------------------------------------

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

// png makes a width×height 8-bit RGB PNG with a gradient seeded by seed,
// so every seed gives different bytes.
function png(width, height, seed) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, no interlace
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const p = row + 1 + x * 3;
      raw[p] = Math.floor((x * 255) / width);
      raw[p + 1] = Math.floor((y * 255) / height);
      raw[p + 2] = seed;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

// --- GraphQL ----------------------------------------------------------------

async function post(body, headers = {}) {
  const res = await fetch(endpoint, { method: "POST", body, headers });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, json };
}

// multipart builds the multipart request of an operation whose variables
// hold File values, following the GraphQL multipart request spec.
function multipart(operation) {
  const { clone, files } = extractFiles(operation, isExtractableFile);
  const form = new FormData();
  form.append("operations", JSON.stringify(clone));
  const map = {};
  let i = 0;
  for (const paths of files.values()) map[++i] = paths;
  form.append("map", JSON.stringify(map));
  i = 0;
  for (const file of files.keys()) form.append(String(++i), file, file.name);
  return form;
}

const login = await post(
  JSON.stringify({
    query: "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { role } } }",
    variables: { e: email, p: password },
  }),
  { "Content-Type": "application/json" },
);
const token = login.json.data?.login?.token;
if (!token) fail("login failed", login.json);
const auth = { Authorization: `Bearer ${token}` };
console.log(`signed in as ${email} (${login.json.data.login.user.role})`);

const assetFields = "id status error filename mimeType byteSize sha256 width height caption";

function check(asset, bytes, name, width, height) {
  const want = { filename: name, mimeType: "image/png", byteSize: bytes.length, sha256: sha256(bytes), width, height };
  for (const [k, v] of Object.entries(want)) {
    if (asset?.[k] !== v) fail(`${name}: ${k} is ${JSON.stringify(asset?.[k])}, want ${JSON.stringify(v)}`, asset);
  }
  if (asset.status === "FAILED") fail(`${name}: processing failed`, asset);
  console.log(`  ${name}: ${asset.id} ${asset.status} ${asset.width}x${asset.height} sha256 ${asset.sha256} matches`);
}

// One file, with metadata in the same operation.
const one = png(320, 200, 17);
const single = multipart({
  query: `mutation($file: Upload!, $input: AssetInput) { uploadAsset(file: $file, input: $input) { ${assetFields} } }`,
  variables: {
    file: new File([one], "js-client.png", { type: "image/png" }),
    input: { caption: "Tải lên từ máy khách JavaScript" },
  },
});

const refused = await post(single, auth);
if (refused.status !== 400 || refused.json.errors?.[0]?.extensions?.code !== "BAD_USER_INPUT") {
  fail(`a multipart request without a preflight header: HTTP ${refused.status}, want 400`, refused.json);
}
console.log("without a preflight header: refused (400), as a cross-site form post would be");

const r1 = await post(single, { ...auth, "GraphQL-Preflight": "1" });
if (r1.json.errors) fail("uploadAsset", r1.json.errors);
const asset = r1.json.data.uploadAsset;
console.log("uploadAsset:");
check(asset, one, "js-client.png", 320, 200);
if (asset.caption !== "Tải lên từ máy khách JavaScript") fail(`caption is ${JSON.stringify(asset.caption)}`);

// A shoot: several files in one request, the first sent again (same bytes,
// same asset).
const two = png(200, 320, 99);
const shoot = multipart({
  query: `mutation($files: [Upload!]!) { uploadAssets(files: $files) { ${assetFields} } }`,
  variables: {
    files: [
      new File([two], "js-portrait.png", { type: "image/png" }),
      new File([one], "js-client.png", { type: "image/png" }),
    ],
  },
});
const r2 = await post(shoot, { ...auth, "Apollo-Require-Preflight": "true" });
if (r2.json.errors) fail("uploadAssets", r2.json.errors);
const [portrait, again] = r2.json.data.uploadAssets;
console.log("uploadAssets:");
check(portrait, two, "js-portrait.png", 200, 320);
check(again, one, "js-client.png", 320, 200);
if (again.id !== asset.id) fail(`the same bytes gave a second asset ${again.id}, want ${asset.id}`);
console.log("same bytes, same asset: ok");
console.log("js upload: all checks passed");
