;; The 2 x 8-bit table decoder of quantized-decoder.ts in WebAssembly SIMD: shuffles pair the
;; x and y code bytes of 16 samples into 16-bit table indices (x high, y low), widen them to byte
;; offsets (x4), then 16 scalar look-ups. Memory: the 65,536-entry float32 table at address 0,
;; then codes (x plane, y plane), then the output. Compiled to table-decoder.wasm.ts by
;; `npm run build:wasm`.
(module
  (memory (export "memory") 5)
  ;; codes: x plane at $codes, y plane at $codes + $n; $n a multiple of 16; table at 0.
  (func (export "decode") (param $codes i32) (param $n i32) (param $out i32)
    (local $i i32) (local $o i32) (local $x v128) (local $y v128) (local $lo v128) (local $hi v128)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (v128.load (i32.add (local.get $codes) (local.get $i))))
        (local.set $y (v128.load (i32.add (i32.add (local.get $codes) (local.get $n)) (local.get $i))))
        (local.set $lo (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $y) (local.get $x)))
        (local.set $hi (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $y) (local.get $x)))
        (local.set $a (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $lo)) (i32.const 2)))
        (local.set $b (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $lo)) (i32.const 2)))
        (local.set $c (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $hi)) (i32.const 2)))
        (local.set $d (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $hi)) (i32.const 2)))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))))
        (f32.store offset=0 (local.get $o) (f32.load (i32x4.extract_lane 0 (local.get $a))))
        (f32.store offset=4 (local.get $o) (f32.load (i32x4.extract_lane 1 (local.get $a))))
        (f32.store offset=8 (local.get $o) (f32.load (i32x4.extract_lane 2 (local.get $a))))
        (f32.store offset=12 (local.get $o) (f32.load (i32x4.extract_lane 3 (local.get $a))))
        (f32.store offset=16 (local.get $o) (f32.load (i32x4.extract_lane 0 (local.get $b))))
        (f32.store offset=20 (local.get $o) (f32.load (i32x4.extract_lane 1 (local.get $b))))
        (f32.store offset=24 (local.get $o) (f32.load (i32x4.extract_lane 2 (local.get $b))))
        (f32.store offset=28 (local.get $o) (f32.load (i32x4.extract_lane 3 (local.get $b))))
        (f32.store offset=32 (local.get $o) (f32.load (i32x4.extract_lane 0 (local.get $c))))
        (f32.store offset=36 (local.get $o) (f32.load (i32x4.extract_lane 1 (local.get $c))))
        (f32.store offset=40 (local.get $o) (f32.load (i32x4.extract_lane 2 (local.get $c))))
        (f32.store offset=44 (local.get $o) (f32.load (i32x4.extract_lane 3 (local.get $c))))
        (f32.store offset=48 (local.get $o) (f32.load (i32x4.extract_lane 0 (local.get $d))))
        (f32.store offset=52 (local.get $o) (f32.load (i32x4.extract_lane 1 (local.get $d))))
        (f32.store offset=56 (local.get $o) (f32.load (i32x4.extract_lane 2 (local.get $d))))
        (f32.store offset=60 (local.get $o) (f32.load (i32x4.extract_lane 3 (local.get $d))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))
)
