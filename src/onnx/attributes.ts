import { AttributeType, type AttributeProto } from './onnx-proto.js';

/**
 * Typed attribute values. ONNX distinguishes INT from FLOAT attributes (Softmax's axis must be
 * an int, LayerNormalization's epsilon a float), which a bare JS number cannot say.
 */
export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string };

export const int = (value: number): AttrValue => ({ kind: 'int', value });
export const ints = (value: readonly number[]): AttrValue => ({ kind: 'ints', value });
export const float = (value: number): AttrValue => ({ kind: 'float', value });
export const str = (value: string): AttrValue => ({ kind: 'string', value });

export function toAttributeProtos(attrs: Readonly<Record<string, AttrValue>>): AttributeProto[] {
  return Object.entries(attrs).map(([name, a]): AttributeProto => {
    switch (a.kind) {
      case 'int':
        return { name, type: AttributeType.INT, i: a.value };
      case 'ints':
        return { name, type: AttributeType.INTS, ints: [...a.value] };
      case 'float':
        return { name, type: AttributeType.FLOAT, f: a.value };
      case 'string':
        return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.value) };
    }
  });
}
