// `hilbertq train` arguments rebuilt from a model's recorded TrainConfig (meta.training.config).
//
// The recorded command string was replayed before, but it is only what someone typed: it can be
// edited, abbreviated or plain wrong, while the config is what the run actually trained with. So
// every field becomes its flag here, and a field no flag can reproduce is refused, not dropped.
import { TRAIN_DEFAULTS } from '../train/config.js';
import { ConfigError } from '../util/errors.js';

/** Fields of a TrainConfig this module knows; anything else is refused (a newer or edited record). */
const CONFIG_FIELDS = new Set([
  'model', 'height', 'width', 'steps', 'batch', 'seed', 'lr', 'warmup', 'clipNorm', 'alpha', 'beta',
  'headNoise', 'outputNoise', 'init', 'data', 'valEvery', 'valCount', 'checkpointEvery', 'logEvery',
]);
const MODEL_FIELDS = ['family', 'head', 'dims', 'order', 'margin', 'maxDisp', 'width', 'outputMap', 'minDisp'] as const;
/** Fields of an init record (TrainConfig.init); the folder itself comes from the caller's --init. */
const INIT_FIELDS: readonly string[] = ['model', 'weightsSha256', 'training', 'newHead'];

/** Scalar TrainConfig fields and their flags, in the order the arguments list them. */
const SCALAR_FLAGS = [
  ['steps', '--steps'],
  ['batch', '--batch'],
  ['seed', '--seed'],
  ['lr', '--lr'],
  ['warmup', '--warmup'],
  ['alpha', '--alpha'],
  ['beta', '--beta'],
  ['headNoise', '--head-noise'],
  ['valEvery', '--val-every'],
  ['valCount', '--val-count'],
  ['checkpointEvery', '--checkpoint-every'],
] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The `hilbertq train` arguments (without --out and --resume) that reproduce `config`, with
 * `overrides` (keyed by flag, e.g. '--size') replacing or adding flags. A fine-tuned config
 * (with `init`) needs '--init' in the overrides: the folder it starts from is the caller's.
 * `name` is the model the config belongs to, for the one-line refusal.
 */
export function trainArgsFromConfig(config: unknown, overrides: Record<string, string>, name: string): string[] {
  const refuse = (what: string): never => {
    throw new ConfigError('recorded training config', name, `${what}, which no 'hilbertq train' flag can reproduce; retrain it by hand`);
  };
  if (!isObject(config)) return refuse('is missing');
  for (const key of Object.keys(config)) if (!CONFIG_FIELDS.has(key)) refuse(`has the field '${key}'`);
  const model = config.model;
  if (!isObject(model)) return refuse('has no model');
  for (const key of Object.keys(model)) if (!(MODEL_FIELDS as readonly string[]).includes(key)) refuse(`has the model field '${key}'`);
  // No flags for these: only their defaults can be reproduced.
  for (const key of ['clipNorm', 'logEvery'] as const) {
    if (config[key] !== undefined && config[key] !== TRAIN_DEFAULTS[key]) refuse(`has ${key} ${String(config[key])} (only ${TRAIN_DEFAULTS[key]} is possible)`);
  }
  const value = (v: unknown, field: string): string => {
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && v !== '' && !/\s/.test(v)) return v;
    return refuse(`has ${field} = ${JSON.stringify(v)}`);
  };
  const args: [string, string][] = [
    ['--model', value(model.family, 'model.family')],
    ['--head', value(model.head, 'model.head')],
    ['--dims', value(model.dims, 'model.dims')],
    ['--order', value(model.order, 'model.order')],
    ['--margin', value(model.margin, 'model.margin')],
    ['--width', value(model.width, 'model.width')],
    ['--max-disp', value(model.maxDisp, 'model.maxDisp')],
    ['--size', `${value(config.height, 'height')}x${value(config.width, 'width')}`],
    ...SCALAR_FLAGS.map(([field, flag]): [string, string] => [flag, value(config[field], field)]),
  ];
  // Absent and 'linear' are the same model (the train command records 'linear' as absent).
  if (model.outputMap !== undefined) args.push(['--output-map', value(model.outputMap, 'model.outputMap')]);
  if (model.minDisp !== undefined) args.push(['--min-disp', value(model.minDisp, 'model.minDisp')]);
  // Absent and 0 are the same run (the train command records 0 as absent).
  if (config.outputNoise !== undefined) args.push(['--output-noise', value(config.outputNoise, 'outputNoise')]);
  args.push(...dataArgs(config.data, refuse, value));
  if (config.init !== undefined) {
    if (!('--init' in overrides)) refuse('was fine-tuned (init) but the model to start from was not given');
    if (!isObject(config.init)) return refuse(`has init = ${JSON.stringify(config.init)}`);
    for (const key of Object.keys(config.init)) if (!INIT_FIELDS.includes(key)) refuse(`has the init field '${key}'`);
    if (config.init.newHead !== undefined && config.init.newHead !== true) refuse(`has init.newHead = ${JSON.stringify(config.init.newHead)}`);
  }
  const merged = args.map(([flag, v]): [string, string] => [flag, flag in overrides ? overrides[flag] : v]);
  for (const [flag, v] of Object.entries(overrides)) if (!args.some(([f]) => f === flag)) merged.push([flag, v]);
  // A body-only fine-tune (init.newHead) is another run than a whole-model one: its flag has no value.
  const newHead = isObject(config.init) && config.init.newHead === true ? ['--new-head'] : [];
  return [...merged.filter(([flag]) => flag !== '--out' && flag !== '--resume').flat(), ...newHead];
}

function dataArgs(data: unknown, refuse: (what: string) => never, value: (v: unknown, field: string) => string): [string, string][] {
  if (data === undefined) return [];
  if (!isObject(data)) return refuse(`has data = ${JSON.stringify(data)}`);
  const { source, ...rest } = data;
  if (source === 'synthetic') {
    for (const key of Object.keys(rest)) if (key !== 'scenes') refuse(`has data.${key}`);
    return rest.scenes === undefined ? [] : [['--scenes', value(rest.scenes, 'data.scenes')]];
  }
  if (source === 'folder') {
    for (const key of Object.keys(rest)) if (key !== 'path') refuse(`has data.${key}`);
    return [['--data', value(rest.path, 'data.path')]];
  }
  return refuse(`has data.source ${JSON.stringify(source)}`);
}
