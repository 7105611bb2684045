// Public API of the data layer.
export type { StereoSample, SyntheticOptions, StereoDataset, StereoBatch, RgbImage, DisparityMap } from './types.js';
export { SyntheticStereo, type SyntheticSample } from './synthetic/generator.js';
export { openDataset, DATASET_FORMATS, type DatasetFormat, type OpenDatasetOptions } from './dataset.js';
export { makeBatch, streamBatches, syntheticDataset, type BatchStreamOptions, type SampleSource } from './batches.js';
export { generateDataset, type GenerateOptions, type GenerateResult } from './generate.js';
export { readManifest, type Manifest, type ManifestEntry } from './manifest.js';
export { readImage, writePng, writeJpeg, writeImage, readMaskPng, writeMaskPng } from './formats/image.js';
export { readPfm, writePfm, type PfmImage } from './formats/pfm.js';
export { readKittiDisparity, writeKittiDisparity, KITTI_SCALE } from './formats/kitti.js';
export { readMiddleburyDisparityPng, writeMiddleburyDisparityPng } from './formats/middlebury.js';
export { readDisparityFile, readPfmDisparity, writePfmDisparity } from './formats/disparity.js';
export { colorizeDisparity, sideBySide } from './colorize.js';
export { previewSample } from './preview.js';
export { parseSize } from './options.js';
