import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { readImage, readMaskPng, writeJpeg, writeMaskPng, writePng } from '../src/data/formats/image.js';
import { readPfm, writePfm } from '../src/data/formats/pfm.js';
import { readKittiDisparity, writeKittiDisparity } from '../src/data/formats/kitti.js';
import { readMiddleburyDisparityPng, writeMiddleburyDisparityPng } from '../src/data/formats/middlebury.js';
import { readDisparityFile, writePfmDisparity } from '../src/data/formats/disparity.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { FileFormatError } from '../src/util/errors.js';
import { withTempDir } from './data-helpers.js';

const sample = new SyntheticStereo({ height: 32, width: 64, maxDisp: 12, seed: 2 }).sample(0);
const image = { width: sample.width, height: sample.height, data: sample.left };

test('PNG RGB8 round trip is exact', () => {
  withTempDir((dir) => {
    writePng(join(dir, 'a.png'), image);
    const back = readImage(join(dir, 'a.png'));
    assert.equal(back.width, 64);
    assert.equal(back.height, 32);
    assert.deepEqual(back.data, image.data);
  });
});

test('JPEG round trip keeps the size and the content within compression error', () => {
  withTempDir((dir) => {
    writeJpeg(join(dir, 'a.jpg'), image, 95);
    const back = readImage(join(dir, 'a.jpg'));
    assert.equal(back.width, 64);
    assert.equal(back.height, 32);
    let err = 0;
    for (let i = 0; i < image.data.length; i++) err += Math.abs(back.data[i] - image.data[i]);
    assert.ok(err / image.data.length < 4, `mean abs error ${err / image.data.length}`);
  });
});

test('readImage converts grey, grey+alpha, RGBA and 16-bit PNGs to RGB8', () => {
  withTempDir((dir) => {
    const w = 3, h = 2;
    const grey = new Uint8Array([0, 50, 100, 150, 200, 250]);
    const cases = [
      { name: 'g.png', png: { width: w, height: h, data: grey, channels: 1, depth: 8 as const } },
      { name: 'ga.png', png: { width: w, height: h, data: new Uint8Array([...grey].flatMap((v) => [v, 9])), channels: 2, depth: 8 as const } },
      { name: 'rgba.png', png: { width: w, height: h, data: new Uint8Array([...grey].flatMap((v) => [v, v, v, 7])), channels: 4, depth: 8 as const } },
      { name: 'g16.png', png: { width: w, height: h, data: new Uint16Array([...grey].map((v) => v * 257)), channels: 1, depth: 16 as const } },
    ];
    for (const { name, png } of cases) {
      writeFileSync(join(dir, name), encodePng(png));
      const rgb = readImage(join(dir, name));
      assert.deepEqual([...rgb.data], [...grey].flatMap((v) => [v, v, v]), name);
    }
  });
});

test('PFM round trip: grey and colour, little- and big-endian, inf kept', () => {
  withTempDir((dir) => {
    const grey = { width: 5, height: 3, channels: 1 as const, data: Float32Array.from({ length: 15 }, (_, i) => i * 1.25 - 3) };
    grey.data[7] = Infinity;
    const colour = { width: 2, height: 3, channels: 3 as const, data: Float32Array.from({ length: 18 }, (_, i) => i / 7) };
    for (const littleEndian of [true, false]) {
      for (const im of [grey, colour]) {
        const path = join(dir, `x-${littleEndian}-${im.channels}.pfm`);
        writePfm(path, im, littleEndian);
        const header = readFileSync(path, 'latin1').split('\n');
        assert.equal(header[0], im.channels === 3 ? 'PF' : 'Pf');
        assert.equal(Number(header[2]) < 0, littleEndian);
        assert.deepEqual(readPfm(path), im);
      }
    }
  });
});

test('PFM rows are stored bottom to top, with the scale sign giving the byte order', () => {
  withTempDir((dir) => {
    // A hand-made big-endian 2x2 file: first stored row is the bottom image row.
    const header = Buffer.from('Pf\n2 2\n1.0\n', 'latin1');
    const body = Buffer.alloc(16);
    [3, 4, 1, 2].forEach((v, i) => body.writeFloatBE(v, i * 4));
    writeFileSync(join(dir, 'be.pfm'), Buffer.concat([header, body]));
    assert.deepEqual([...readPfm(join(dir, 'be.pfm')).data], [1, 2, 3, 4]);
    // Windows line ends: the raster starts after "\r\n" (it was read one byte off, as garbage).
    writeFileSync(join(dir, 'crlf.pfm'), Buffer.concat([Buffer.from('Pf\r\n2 2\r\n1.0\r\n', 'latin1'), body]));
    assert.deepEqual([...readPfm(join(dir, 'crlf.pfm')).data], [1, 2, 3, 4]);
  });
});

test('disparity PFM: inf and NaN are invalid, never zero disparity', () => {
  withTempDir((dir) => {
    const path = join(dir, 'd.pfm');
    writePfm(path, { width: 3, height: 1, channels: 1, data: new Float32Array([0, Infinity, NaN]) });
    const gt = readDisparityFile(path);
    assert.deepEqual([...gt.valid], [1, 0, 0]);
    assert.equal(gt.disp[0], 0);
    writePfmDisparity(path, gt);
    assert.deepEqual([...readPfm(path).data], [0, Infinity, Infinity]);
  });
});

test('KITTI 16-bit disparity round trip: 1/256 px steps, 0 means no data, true zero stays valid', () => {
  withTempDir((dir) => {
    const path = join(dir, 'k.png');
    const disp = new Float32Array([0, 1 / 256, 12.5, 100.3, 7]);
    const valid = new Uint8Array([1, 1, 1, 1, 0]);
    writeKittiDisparity(path, { width: 5, height: 1, disp, valid });
    const back = readKittiDisparity(path);
    assert.deepEqual([...back.valid], [1, 1, 1, 1, 0]);
    // A valid zero is stored as the smallest code, 1/256 px, so it does not read back as "no data".
    assert.deepEqual([...back.disp], [1 / 256, 1 / 256, 12.5, Math.round(100.3 * 256) / 256, 0]);
    assert.equal(readDisparityFile(path).disp[2], 12.5);
  });
});

test('Middlebury 8-bit disparity round trip with a scale factor; 0 means no data', () => {
  withTempDir((dir) => {
    const path = join(dir, 'm.png');
    const disp = new Float32Array([2.25, 10, 31.5, 5]);
    const valid = new Uint8Array([1, 1, 1, 0]);
    writeMiddleburyDisparityPng(path, { width: 2, height: 2, disp, valid }, 4);
    const back = readMiddleburyDisparityPng(path, 4);
    assert.deepEqual([...back.disp], [2.25, 10, 31.5, 0]);
    assert.deepEqual([...back.valid], [1, 1, 1, 0]);
    assert.deepEqual([...readDisparityFile(path, 4).disp], [2.25, 10, 31.5, 0]);
    assert.throws(() => readDisparityFile(path), (e: unknown) => e instanceof FileFormatError && /scale/.test(e.message));
  });
});

test('occlusion mask PNG round trip', () => {
  withTempDir((dir) => {
    const path = join(dir, 'o.png');
    writeMaskPng(path, sample.width, sample.height, sample.occ);
    assert.deepEqual(readMaskPng(path).mask, sample.occ);
  });
});

/** A greyscale PNG of `depth` bits (1, 2 or 4) with these sample values, rows packed by hand (fast-png cannot encode them). */
function lowBitGreyPng(width: number, height: number, depth: number, values: number[]): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const rowBytes = Math.ceil((width * depth) / 8);
  const raw = Buffer.alloc(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      raw[y * (rowBytes + 1) + 1 + (bit >> 3)] |= values[y * width + x] << (8 - depth - (bit & 7));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = depth;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('readImage unpacks 1-, 2- and 4-bit grey PNGs, scaled to 8 bits; a 0x0 image and a non-regular file are refused by name', () =>
  withTempDir((dir) => {
    // Widths that leave a partly used byte at the end of every row.
    const [w, h] = [5, 3];
    for (const depth of [1, 2, 4]) {
      const max = (1 << depth) - 1;
      const values = Array.from({ length: w * h }, (_, i) => (i * 7) % (max + 1));
      const file = join(dir, `g${depth}.png`);
      writeFileSync(file, lowBitGreyPng(w, h, depth, values));
      const rgb = readImage(file);
      assert.deepEqual([rgb.width, rgb.height], [w, h]);
      assert.deepEqual([...rgb.data], values.flatMap((v) => Array(3).fill(Math.round((v * 255) / max))), `${depth}-bit`);
    }
    // Readers of codes see the real depth: a 4-bit Middlebury disparity map is refused, not read as 17x its values;
    // a 1-bit mask reads as 0/1.
    writeFileSync(join(dir, 'disp4.png'), lowBitGreyPng(4, 1, 4, [1, 2, 3, 15]));
    assert.throws(() => readMiddleburyDisparityPng(join(dir, 'disp4.png'), 1), /expected an 8-bit PNG, got 4-bit/);
    writeFileSync(join(dir, 'mask1.png'), lowBitGreyPng(4, 1, 1, [0, 1, 1, 0]));
    assert.deepEqual([...readMaskPng(join(dir, 'mask1.png')).mask], [0, 1, 1, 0]);
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, lowBitGreyPng(0, 0, 1, []));
    assert.throws(() => readImage(empty), (e: unknown) => e instanceof FileFormatError && /empty\.png: declares 0x0 pixels/.test(e.message));
    assert.throws(() => readImage('/dev/zero'), (e: unknown) => e instanceof FileFormatError && /\/dev\/zero: is not a regular file/.test(e.message));
    // An unknown critical chunk (upper-case first letter) before IEND is refused; an ancillary one is skipped.
    const png = lowBitGreyPng(w, h, 4, Array(w * h).fill(3));
    const iend = png.length - 12;
    const extra = (type: string): Buffer => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from([1, 2])]);
      const out = Buffer.alloc(14);
      out.writeUInt32BE(2, 0);
      body.copy(out, 4);
      out.writeUInt32BE(crc32(body), 10);
      return out;
    };
    writeFileSync(join(dir, 'crit.png'), Buffer.concat([png.subarray(0, iend), extra('XXXX'), png.subarray(iend)]));
    assert.throws(() => readImage(join(dir, 'crit.png')), (e: unknown) => e instanceof FileFormatError && /crit\.png: corrupt PNG: an unknown critical chunk "XXXX"/.test(e.message));
    writeFileSync(join(dir, 'anc.png'), Buffer.concat([png.subarray(0, iend), extra('xxXX'), png.subarray(iend)]));
    assert.equal(readImage(join(dir, 'anc.png')).width, w);
    // Ground truth and masks go through the same header checks as images.
    for (const read of [readMaskPng, (f: string) => readMiddleburyDisparityPng(f, 1), readKittiDisparity]) {
      assert.throws(() => read(join(dir, 'crit.png')), (e: unknown) => e instanceof FileFormatError && /crit\.png: corrupt PNG: an unknown critical chunk "XXXX"/.test(e.message), read.name);
      assert.throws(() => read(empty), (e: unknown) => e instanceof FileFormatError && /empty\.png: declares 0x0 pixels/.test(e.message), read.name);
    }
  }));

test('an image bomb is refused from its header, fast and without decoding (PNG and JPEG)', () =>
  withTempDir((dir) => {
    // A real 4x4 PNG and JPEG whose headers are then made to declare 16000x16000 pixels.
    const small = { width: 4, height: 4, data: new Uint8Array(48).fill(90) };
    const png = join(dir, 'bomb.png');
    writePng(png, small);
    const pngBytes = readFileSync(png);
    pngBytes.writeUInt32BE(16000, 16);
    pngBytes.writeUInt32BE(16000, 20);
    writeFileSync(png, pngBytes);
    const jpg = join(dir, 'bomb.jpg');
    writeJpeg(jpg, small);
    const jpgBytes = readFileSync(jpg);
    let sof = 2;
    while (!(jpgBytes[sof + 1] >= 0xc0 && jpgBytes[sof + 1] <= 0xc2)) sof += 2 + jpgBytes.readUInt16BE(sof + 2);
    jpgBytes.writeUInt16BE(16000, sof + 5);
    jpgBytes.writeUInt16BE(16000, sof + 7);
    writeFileSync(jpg, jpgBytes);
    for (const file of [png, jpg]) {
      const before = process.memoryUsage().rss;
      const t0 = performance.now();
      assert.throws(() => readImage(file), /declares 16000x16000 pixels, over the limit of 64000000 \(HILBERTQ_MAX_IMAGE_PIXELS\)/);
      assert.ok(performance.now() - t0 < 2000, 'refused within 2 s');
      assert.ok(process.memoryUsage().rss - before < 500e6, 'and without allocating the image');
    }
    // The limit is adjustable; ordinary images still read; the header cannot be dodged.
    process.env.HILBERTQ_MAX_IMAGE_PIXELS = '15';
    try {
      // A fake 1x1 IHDR first, the real 4x4 one after it: refused, not decoded at 4x4.
      writePng(join(dir, 'real.png'), small);
      const real = readFileSync(join(dir, 'real.png'));
      const fake = Buffer.from(real.subarray(8, 33));
      fake.writeUInt32BE(1, 8);
      fake.writeUInt32BE(1, 12);
      writeFileSync(join(dir, 'two.png'), Buffer.concat([real.subarray(0, 8), fake, real.subarray(8)]));
      assert.throws(() => readImage(join(dir, 'two.png')), /a second IHDR chunk/);
      // Fill bytes before the first marker segment do not hide the frame header.
      writeJpeg(join(dir, 'fill.jpg'), small);
      const filled = readFileSync(join(dir, 'fill.jpg'));
      writeFileSync(join(dir, 'fill.jpg'), Buffer.concat([filled.subarray(0, 2), Buffer.from([0xff, 0xff]), filled.subarray(2)]));
      assert.throws(() => readImage(join(dir, 'fill.jpg')), /declares 4x4 pixels, over the limit of 15/);
      writePng(join(dir, 'ok.png'), small);
      assert.throws(() => readImage(join(dir, 'ok.png')), /declares 4x4 pixels, over the limit of 15/);
    } finally {
      delete process.env.HILBERTQ_MAX_IMAGE_PIXELS;
    }
    assert.equal(readImage(join(dir, 'ok.png')).width, 4);
  }));
