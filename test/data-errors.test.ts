import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../src/data/dataset.js';
import { generateDataset } from '../src/data/generate.js';
import { readImage, writeJpeg, writePng } from '../src/data/formats/image.js';
import { readPfm, writePfm } from '../src/data/formats/pfm.js';
import { readKittiDisparity } from '../src/data/formats/kitti.js';
import { parseSize } from '../src/data/options.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { ConfigError, FileFormatError, FileSystemError } from '../src/util/errors.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { runCli } from './cli-support.js';
import { withTempDir, withTempDirAsync } from './data-helpers.js';

const OPTS = { height: 32, width: 64, maxDisp: 12, seed: 9 };
const s = new SyntheticStereo(OPTS).sample(0);
const image = { width: s.width, height: s.height, data: s.left };

/** The error is a FileFormatError naming `file` and matching `reason`. */
function namesFile(file: string, reason: RegExp) {
  return (e: unknown) => e instanceof FileFormatError && e.message.includes(file) && reason.test(e.message);
}

test('truncated or corrupt PNG, JPEG and PFM files fail naming the file and the problem', () => {
  withTempDir((dir) => {
    writePng(join(dir, 'ok.png'), image);
    writeJpeg(join(dir, 'ok.jpg'), image);
    writePfm(join(dir, 'ok.pfm'), { width: s.width, height: s.height, channels: 1, data: s.disp });
    const png = readFileSync(join(dir, 'ok.png'));
    const jpg = readFileSync(join(dir, 'ok.jpg'));
    const pfm = readFileSync(join(dir, 'ok.pfm'));
    const flipped = Buffer.from(png);
    flipped[flipped.length >> 1] ^= 0xff;
    const zeroed = Buffer.from(jpg);
    zeroed.fill(0, 200, 400);
    const cases: [string, Uint8Array, (p: string) => unknown, RegExp][] = [
      ['half.png', png.subarray(0, png.length >> 1), readImage, /truncated PNG/],
      ['crc.png', flipped, readImage, /corrupt PNG/],
      ['half.jpg', jpg.subarray(0, jpg.length >> 1), readImage, /truncated JPEG/],
      ['bad.jpg', zeroed, readImage, /corrupt JPEG/],
      ['text.png', Buffer.from('hello world'), readImage, /not a PNG or JPEG/],
      ['half.pfm', pfm.subarray(0, pfm.length - 10), readPfm, /truncated PFM/],
      ['long.pfm', Buffer.concat([pfm, Buffer.alloc(100)]), readPfm, /holds 100 bytes after its \d+ data bytes/],
      ['header.pfm', Buffer.from('Pf\n64 x\n-1\n'), readPfm, /bad PFM size/],
      ['magic.pfm', Buffer.from('P6\n2 2\n255\n0000'), readPfm, /not a PFM/],
      ['half16.png', png.subarray(0, 40), readKittiDisparity, /truncated PNG/],
      ['rgb8.png', png, readKittiDisparity, /16-bit/],
    ];
    for (const [name, bytes, read, reason] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      assert.throws(() => read(path), namesFile(path, reason), name);
    }
    assert.throws(() => readImage(join(dir, 'missing.png')), namesFile('missing.png', /not found/));
    // An IDAT whose zlib stream is garbage under a valid CRC: the decoder's message ended in a colon.
    const garbled = Buffer.from(png);
    const idat = garbled.indexOf('IDAT');
    const length = garbled.readUInt32BE(idat - 4);
    garbled.fill(0x5a, idat + 4, idat + 4 + length);
    garbled.writeUInt32BE(crc32(garbled.subarray(idat, idat + 4 + length)), idat + 4 + length);
    writeFileSync(join(dir, 'zlib.png'), garbled);
    assert.throws(() => readImage(join(dir, 'zlib.png')), namesFile(join(dir, 'zlib.png'), /corrupt PNG: [^:]*[^:\s]$/));
  });
});

/** PNG's CRC-32 (ISO 3309), for a hand-made chunk. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('views of different sizes and a disparity map of the wrong size are refused', () => {
  withTempDir((dir) => {
    const small = new SyntheticStereo({ ...OPTS, width: 48 }).sample(0);
    writePng(join(dir, 'l.png'), image);
    writePng(join(dir, 'r.png'), { width: 48, height: 32, data: small.right });
    writePng(join(dir, 'r64.png'), { width: 64, height: 32, data: s.right });
    writePfm(join(dir, 'd.pfm'), { width: 48, height: 32, channels: 1, data: small.disp });
    const r = join(dir, 'r.png');
    assert.throws(() => openDataset({ left: join(dir, 'l.png'), right: r }).get(0), namesFile(r, /48x32.*64x32/));
    const d = join(dir, 'd.pfm');
    assert.throws(() => openDataset({ left: join(dir, 'l.png'), right: join(dir, 'r64.png'), disp: d }).get(0), namesFile(d, /disparity map is 48x32/));
  });
});

test('a manifest that lists missing files is refused when the folder is opened', () => {
  withTempDir((dir) => {
    generateDataset({ ...OPTS, out: dir, count: 2 });
    rmSync(join(dir, 'disp', '000001.pfm'));
    assert.throws(() => openDataset(dir), namesFile('manifest.json', /000001\.pfm.*does not exist/));
    writeFileSync(join(dir, 'manifest.json'), '{"format": "hilbertq-stereo", "samples": [');
    assert.throws(() => openDataset(dir), namesFile('manifest.json', /not valid JSON/));
  });
});

test('a manifest of another version, or with an empty path, is refused naming the manifest', () => {
  withTempDir((dir) => {
    generateDataset({ ...OPTS, out: dir, count: 2 });
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { version: number; samples: { left: string }[] };
    writeFileSync(path, JSON.stringify({ ...manifest, version: 99 }));
    assert.throws(() => openDataset(dir), namesFile('manifest.json', /is manifest version 99; this hilbertq reads version 1/));
    // "" named the dataset folder itself: "is a directory, expected a file".
    manifest.samples[1].left = '';
    writeFileSync(path, JSON.stringify(manifest));
    assert.throws(() => openDataset(dir), namesFile('manifest.json', /malformed manifest/));
  });
});

test('--size and --max-disp values that make no sense are refused', () => {
  for (const bad of ['64', '64x', '0x128', '8x128', '64x-5', '64x100000', 'axb']) {
    assert.throws(() => parseSize(bad), (e: unknown) => e instanceof ConfigError && e.message.includes(bad), bad);
  }
  assert.deepEqual(parseSize('48x96'), { height: 48, width: 96 });
  withTempDir((dir) => {
    const out = join(dir, 'never');
    for (const maxDisp of [0, -3, 64, 100, NaN]) {
      assert.throws(() => generateDataset({ ...OPTS, maxDisp, out, count: 1 }), ConfigError);
    }
    assert.throws(() => generateDataset({ ...OPTS, out, count: 0 }), ConfigError);
    assert.equal(existsSync(out), false, 'nothing is written for rejected options');
  });
});

test('an interrupted generate leaves no manifest, and a rerun resumes to the same bytes', () => {
  withTempDir((dir) => {
    const out = join(dir, 'ds');
    const stop = new Error('interrupted');
    assert.throws(
      () => generateDataset({ ...OPTS, out, count: 5, onProgress: (done) => { if (done === 3) throw stop; } }),
      (e: unknown) => e === stop,
    );
    assert.equal(existsSync(join(out, 'manifest.json')), false);
    assert.throws(() => openDataset(out), FileFormatError);
    // Simulate a kill in the middle of a file write: a stray temporary and a lost file.
    writeFileSync(join(out, 'left', '.000003.png.999.tmp'), 'partial');
    rmSync(join(out, 'occ', '000002.png'));
    const resumed = generateDataset({ ...OPTS, out, count: 5 });
    assert.deepEqual([resumed.skipped, resumed.written], [2, 3]);
    assert.deepEqual(readdirSync(join(out, 'left')), ['000000.png', '000001.png', '000002.png', '000003.png', '000004.png']);
    const clean = join(dir, 'clean');
    generateDataset({ ...OPTS, out: clean, count: 5 });
    for (const rel of ['left/000001.png', 'right/000004.png', 'disp/000002.pfm', 'occ/000002.png']) {
      assert.deepEqual(readFileSync(join(out, rel)), readFileSync(join(clean, rel)), rel);
    }
    assert.equal(openDataset(out).length, 5);
  });
});

test('generate refuses a folder holding other data or a dataset made with other options', () => {
  withTempDir((dir) => {
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    assert.throws(() => generateDataset({ ...OPTS, out: dir, count: 1 }), (e: unknown) => e instanceof ConfigError && /not empty/.test(e.message));
    const out = join(dir, 'ds');
    generateDataset({ ...OPTS, out, count: 1 });
    assert.throws(() => generateDataset({ ...OPTS, seed: 10, out, count: 1 }), (e: unknown) => e instanceof ConfigError && /other options/.test(e.message));
    assert.equal(openDataset(out).length, 1, 'the existing dataset is untouched');
  });
});

test('file-system errors are one line naming the path and the problem; the extension decides the format', () =>
  withTempDirAsync(async (dir) => {
    // EISDIR: the target is a folder; ENOTDIR: a file stands where a folder should be.
    mkdirSync(join(dir, 'taken'));
    assert.throws(() => writeFileAtomic(join(dir, 'taken'), 'x'), (e: unknown) => e instanceof FileSystemError && /^cannot write .*taken: is a folder, not a file$/.test(e.message));
    writeFileSync(join(dir, 'file'), 'x');
    assert.throws(() => writeFileAtomic(join(dir, 'file', 'inside.json'), 'x'), (e: unknown) => e instanceof FileSystemError && /^cannot create the folder .*file: a file stands where a folder should be$/.test(e.message));
    await assert.rejects(runCli(['data', 'show', join(dir, 'a.png'), join(dir, 'b.png'), '--out', join(dir, 'x.bmp')]), /--out = .*x\.bmp: the extension decides the format/);
    await assert.rejects(runCli(['infer', '--model', 'm.onnx', '--left', 'l.png', '--right', 'r.png', '--out', join(dir, 'x.png')]), /--out = .*x\.png: disparity is written as PFM/);
  }));
