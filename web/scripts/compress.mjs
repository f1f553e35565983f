// Writes a .br and a .gz beside every compressible file of dist/, for the server to send as is.
// Deterministic: fixed levels, no file names or times in the gzip header (Node writes none).
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {brotliCompressSync, constants, gzipSync} from 'node:zlib';

const root = new URL('../dist/', import.meta.url).pathname;
const compressible = /\.(html|js|mjs|css|svg|json|webmanifest|txt|map)$/;

function walk(dir) {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
    });
}

let first = 0;
for (const path of walk(root).sort()) {
    if (!compressible.test(path)) {
        continue;
    }
    const body = readFileSync(path);
    const br = brotliCompressSync(body, {
        params: {
            [constants.BROTLI_PARAM_QUALITY]: 11,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
    });
    const gz = gzipSync(body, {level: 9});
    // Only when it saves something: the server falls back to the plain file.
    if (br.length < body.length) {
        writeFileSync(`${path}.br`, br);
    }
    if (gz.length < body.length) {
        writeFileSync(`${path}.gz`, gz);
    }
    if (/\.(js|css)$/.test(path)) {
        first += br.length;
    }
    console.log(`${path.slice(root.length)}: ${body.length} B, br ${br.length} B, gzip ${gz.length} B`);
}
console.log(`JS + CSS, brotli: ${(first / 1024).toFixed(1)} KiB`);
