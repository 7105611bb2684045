;; The cube-walk decoder of quantized-decoder.ts and HilbertCurve.decode (order-1 curves in 3 to 6
;; dims; 8- or 16-bit codes or float32 points) in WebAssembly SIMD, four samples per step and no
;; branch per sample: each component's codes are dequantized (floats read as they are), centred
;; (y = x - 1/2: its sign is the corner bit, (1/2 - margin) - |y| the inward distance from that
;; corner); byte swizzles look up the corner's vertex and its two segments' axes (tables indexed
;; by the corner in 16-byte quarters: one for up to 4 dims, two for 5, four for 6); masks pick
;; those axes' inward distances; the nearer segment's projection gives q, or with a corner blend
;; (header byte 156) the mix of both projections that CubeWalk.decode makes.
;; A sample farther than spacing / 2 from that projection, and not clearly nearer it than every
;; other segment (CubeWalk.clearOfOthers), gets NaN, and its index goes to a list
;; at $list (i32 each; decode returns how many): the caller decodes those exactly without
;; scanning the whole output for NaN. Under a soft fold (CubeWalk.decode's softFold) the bound is
;; the soft fold's start instead, from x spacing, the clearOfOthers test is off, and the caller
;; gives the listed samples to soft (below) first.
;;
;; Every constant lives in a local set before the loop: a splat of a header load inside it would
;; be repeated per block (V8 does not hoist memory loads), which took a third of the time.
;;
;; Memory: a 176-byte header at 0 (written by wasm-cube-walk.ts):
;;   0 vertex of corners 0-31 (32 x i8), 32 axis of the segment before that vertex, 64 after
;;   (both per corner; an absent segment's axis is 7, which no component matches: it reads 0),
;;   96 scale of components 0-4 (5 x f32), 116 their zero points (5 x f32),
;;   136 margin, 140 1 - margin, 144 1 / spacing, 148 the squared bound beyond which a sample is
;;   listed ((spacing / 2)^2; under a soft fold (from x spacing)^2 less CLEAR_MARGIN, and infinity
;;   while wasm-cube-walk.ts has decode project soft's points), 152 outputScale / segments,
;;   156 1 / (2 blend) for CubeWalk.decode's corner blend, 0 for the nearest point,
;;   160 spacing, 164 spacing^2, 168 CLEAR_MARGIN (CubeWalk.clearOfOthers; infinity under a soft
;;   fold, which skips that test: every listed sample goes to soft).
;; Then decode8's scratch (176..399, see decode8 below), soft's header and segment table
;; (420..3471, see soft below); the sixth dimension's part of the header: 3472 vertex of corners
;; 32-63, 3504 and 3536 their before and after axes, 3568 component 5's scale and 3572 its zero
;; point, 3584 its m in decode8's scratch; soft's scratch (3600..5999), and from 6000 on the
;; input ($dims planes of $n samples: u8 codes for $kind 0, f32 values for 1, u16 codes for 2),
;; the output ($n f32) and the list ($n i32 at most).
;; $n a multiple of 4.
;; Compiled to cube-walk.wasm.ts by `npm run build:wasm`.
(module
  (memory (export "memory") 1)
  (func (export "decode") (param $codes i32) (param $n i32) (param $dims i32) (param $out i32) (param $list i32) (param $kind i32) (result i32)
    (local $i i32) (local $count i32) (local $at i32) (local $isFloat i32) (local $isWide i32) (local $shift i32) (local $blendOn i32) (local $clearOn i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $p4 i32) (local $p5 i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128) (local $z4 v128) (local $z5 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $w5 v128)
    (local $y v128) (local $corner v128) (local $idx v128) (local $idx2 v128) (local $far2 v128) (local $k v128)
    (local $axisB v128) (local $axisA v128) (local $before v128) (local $after v128) (local $along v128)
    (local $a v128) (local $b v128) (local $ta v128) (local $sum v128) (local $dq v128) (local $beyond v128)
    (local $kTable v128) (local $kTable2 v128) (local $bTable v128) (local $bTable2 v128) (local $aTable v128) (local $aTable2 v128)
    (local $kTable3 v128) (local $kTable4 v128) (local $bTable3 v128) (local $bTable4 v128) (local $aTable3 v128) (local $aTable4 v128)
    (local $high v128) (local $sixteen v128) (local $one v128) (local $two v128) (local $three v128) (local $four v128) (local $five v128)
    (local $zerof v128) (local $onef v128) (local $half v128) (local $inner v128) (local $invS v128) (local $bound2 v128)
    (local $perVertex v128) (local $blend v128) (local $inf v128)
   
    ;; The input's kind is the same for a whole call: its branches are always predicted.
    (local.set $isFloat (i32.eq (local.get $kind) (i32.const 1)))
    (local.set $isWide (i32.eq (local.get $kind) (i32.const 2)))
    (local.set $shift (select (i32.const 2) (select (i32.const 1) (i32.const 0) (local.get $isWide)) (local.get $isFloat)))
    ;; Each plane's start: n samples of 1 << shift bytes per plane.
    (local.set $p0 (local.get $codes))
    (local.set $p1 (i32.add (local.get $p0) (i32.shl (local.get $n) (local.get $shift))))
    (local.set $p2 (i32.add (local.get $p1) (i32.shl (local.get $n) (local.get $shift))))
    (local.set $p3 (i32.add (local.get $p2) (i32.shl (local.get $n) (local.get $shift))))
    (local.set $p4 (i32.add (local.get $p3) (i32.shl (local.get $n) (local.get $shift))))
    (local.set $p5 (i32.add (local.get $p4) (i32.shl (local.get $n) (local.get $shift))))
    (local.set $s0 (f32x4.splat (f32.load offset=96 (i32.const 0))))
    (local.set $s1 (f32x4.splat (f32.load offset=100 (i32.const 0))))
    (local.set $s2 (f32x4.splat (f32.load offset=104 (i32.const 0))))
    (local.set $s3 (f32x4.splat (f32.load offset=108 (i32.const 0))))
    (local.set $s4 (f32x4.splat (f32.load offset=112 (i32.const 0))))
    (local.set $s5 (f32x4.splat (f32.load offset=3568 (i32.const 0))))
    (local.set $z0 (f32x4.splat (f32.load offset=116 (i32.const 0))))
    (local.set $z1 (f32x4.splat (f32.load offset=120 (i32.const 0))))
    (local.set $z2 (f32x4.splat (f32.load offset=124 (i32.const 0))))
    (local.set $z3 (f32x4.splat (f32.load offset=128 (i32.const 0))))
    (local.set $z4 (f32x4.splat (f32.load offset=132 (i32.const 0))))
    (local.set $z5 (f32x4.splat (f32.load offset=3572 (i32.const 0))))
    ;; Lane bytes 1-3 are 0x80 so that a swizzle writes 0 there: each i32 lane reads one table byte.
    (local.set $high (i32x4.splat (i32.const 0x80808000)))
    (local.set $sixteen (i32x4.splat (i32.const 16)))
    (local.set $kTable (v128.load (i32.const 0)))
    (local.set $kTable2 (v128.load (i32.const 16)))
    (local.set $bTable (v128.load (i32.const 32)))
    (local.set $bTable2 (v128.load (i32.const 48)))
    (local.set $aTable (v128.load (i32.const 64)))
    (local.set $aTable2 (v128.load (i32.const 80)))
    (local.set $kTable3 (v128.load (i32.const 3472)))
    (local.set $kTable4 (v128.load (i32.const 3488)))
    (local.set $bTable3 (v128.load (i32.const 3504)))
    (local.set $bTable4 (v128.load (i32.const 3520)))
    (local.set $aTable3 (v128.load (i32.const 3536)))
    (local.set $aTable4 (v128.load (i32.const 3552)))
    (local.set $one (i32x4.splat (i32.const 1)))
    (local.set $two (i32x4.splat (i32.const 2)))
    (local.set $three (i32x4.splat (i32.const 3)))
    (local.set $four (i32x4.splat (i32.const 4)))
    (local.set $five (i32x4.splat (i32.const 5)))
    (local.set $zerof (f32x4.splat (f32.const 0)))
    (local.set $onef (f32x4.splat (f32.const 1)))
    (local.set $half (f32x4.splat (f32.const 0.5)))
    (local.set $inner (f32x4.splat (f32.sub (f32.const 0.5) (f32.load offset=136 (i32.const 0)))))
    (local.set $invS (f32x4.splat (f32.load offset=144 (i32.const 0))))
    (local.set $bound2 (f32x4.splat (f32.load offset=148 (i32.const 0))))
    (local.set $perVertex (f32x4.splat (f32.load offset=152 (i32.const 0))))
    (local.set $blend (f32x4.splat (f32.load offset=156 (i32.const 0))))
    (local.set $blendOn (f32.gt (f32.load offset=156 (i32.const 0)) (f32.const 0)))
    ;; An infinite CLEAR_MARGIN (a soft fold: every listed sample goes to the caller) skips the test.
    (local.set $clearOn (f32.lt (f32.load offset=168 (i32.const 0)) (f32.const inf)))
    (local.set $inf (f32x4.splat (f32.const inf)))
    ;; Components beyond $dims: an inward distance of 0 adds nothing to clearOfOthers' largest squares.
    (local.set $w3 (local.get $zerof))
    (local.set $w4 (local.get $zerof))
    (local.set $w5 (local.get $zerof))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $corner (v128.const i32x4 0 0 0 0))
        (local.set $far2 (local.get $zerof))
        ;; From the last component down: corner = 2 corner + (y > 0) puts component c's bit at c.
        (if (i32.eq (local.get $dims) (i32.const 6))
          (then
          ;; component 5: y = x - 1/2, its corner bit, its inward distance (1/2 - margin) - |y|
          (local.set $at (i32.add (local.get $p5) (i32.shl (local.get $i) (local.get $shift))))
          (local.set $y
            (f32x4.sub
              (if (result v128) (local.get $isFloat)
                (then (v128.load (local.get $at)))
                (else
                  (f32x4.mul
                    (f32x4.sub
                      (f32x4.convert_i32x4_s
                        (if (result v128) (local.get $isWide)
                          (then (i32x4.extend_low_i16x8_u (v128.load64_zero (local.get $at))))
                          (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $at)))))))
                      (local.get $z5))
                    (local.get $s5))))
              (local.get $half)))
          (local.set $corner (i32x4.sub (i32x4.shl (local.get $corner) (i32.const 1)) (f32x4.gt (local.get $y) (local.get $zerof))))
          (local.set $w5 (f32x4.sub (local.get $inner) (f32x4.abs (local.get $y))))
          (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w5) (local.get $w5))))
          ))
        (if (i32.ge_u (local.get $dims) (i32.const 5))
          (then
          ;; component 4: y = x - 1/2, its corner bit, its inward distance (1/2 - margin) - |y|
          (local.set $at (i32.add (local.get $p4) (i32.shl (local.get $i) (local.get $shift))))
          (local.set $y
            (f32x4.sub
              (if (result v128) (local.get $isFloat)
                (then (v128.load (local.get $at)))
                (else
                  (f32x4.mul
                    (f32x4.sub
                      (f32x4.convert_i32x4_s
                        (if (result v128) (local.get $isWide)
                          (then (i32x4.extend_low_i16x8_u (v128.load64_zero (local.get $at))))
                          (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $at)))))))
                      (local.get $z4))
                    (local.get $s4))))
              (local.get $half)))
          (local.set $corner (i32x4.sub (i32x4.shl (local.get $corner) (i32.const 1)) (f32x4.gt (local.get $y) (local.get $zerof))))
          (local.set $w4 (f32x4.sub (local.get $inner) (f32x4.abs (local.get $y))))
          (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w4) (local.get $w4))))
          ))
        (if (i32.ge_u (local.get $dims) (i32.const 4))
          (then
          ;; component 3: y = x - 1/2, its corner bit, its inward distance (1/2 - margin) - |y|
          (local.set $at (i32.add (local.get $p3) (i32.shl (local.get $i) (local.get $shift))))
          (local.set $y
            (f32x4.sub
              (if (result v128) (local.get $isFloat)
                (then (v128.load (local.get $at)))
                (else
                  (f32x4.mul
                    (f32x4.sub
                      (f32x4.convert_i32x4_s
                        (if (result v128) (local.get $isWide)
                          (then (i32x4.extend_low_i16x8_u (v128.load64_zero (local.get $at))))
                          (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $at)))))))
                      (local.get $z3))
                    (local.get $s3))))
              (local.get $half)))
          (local.set $corner (i32x4.sub (i32x4.shl (local.get $corner) (i32.const 1)) (f32x4.gt (local.get $y) (local.get $zerof))))
          (local.set $w3 (f32x4.sub (local.get $inner) (f32x4.abs (local.get $y))))
          (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w3) (local.get $w3))))
          ))
        ;; component 2: y = x - 1/2, its corner bit, its inward distance (1/2 - margin) - |y|
        (local.set $at (i32.add (local.get $p2) (i32.shl (local.get $i) (local.get $shift))))
        (local.set $y
          (f32x4.sub
            (if (result v128) (local.get $isFloat)
              (then (v128.load (local.get $at)))
              (else
                (f32x4.mul
                  (f32x4.sub
                    (f32x4.convert_i32x4_s
                      (if (result v128) (local.get $isWide)
                        (then (i32x4.extend_low_i16x8_u (v128.load64_zero (local.get $at))))
                        (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $at)))))))
                    (local.get $z2))
                  (local.get $s2))))
            (local.get $half)))
        (local.set $corner (i32x4.sub (i32x4.shl (local.get $corner) (i32.const 1)) (f32x4.gt (local.get $y) (local.get $zerof))))
        (local.set $w2 (f32x4.sub (local.get $inner) (f32x4.abs (local.get $y))))
        (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w2) (local.get $w2))))
        ;; component 1: y = x - 1/2, its corner bit, its inward distance (1/2 - margin) - |y|
        (local.set $at (i32.add (local.get $p1) (i32.shl (local.get $i) (local.get $shift))))
        (local.set $y
          (f32x4.sub
            (if (result v128) (local.get $isFloat)
              (then (v128.load (local.get $at)))
              (else
                (f32x4.mul
                  (f32x4.sub
                    (f32x4.convert_i32x4_s
                      (if (result v128) (local.get $isWide)
                        (then (i32x4.extend_low_i16x8_u (v128.load64_zero (local.get $at))))
                        (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $at)))))))
                    (local.get $z1))
                  (local.get $s1))))
            (local.get $half)))
        (local.set $corner (i32x4.sub (i32x4.shl (local.get $corner) (i32.const 1)) (f32x4.gt (local.get $y) (local.get $zerof))))
        (local.set $w1 (f32x4.sub (local.get $inner) (f32x4.abs (local.get $y))))
        (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w1) (local.get $w1))))
        ;; component 0: y = x - 1/2, its corner bit, its inward distance (1/2 - margin) - |y|
        (local.set $at (i32.add (local.get $p0) (i32.shl (local.get $i) (local.get $shift))))
        (local.set $y
          (f32x4.sub
            (if (result v128) (local.get $isFloat)
              (then (v128.load (local.get $at)))
              (else
                (f32x4.mul
                  (f32x4.sub
                    (f32x4.convert_i32x4_s
                      (if (result v128) (local.get $isWide)
                        (then (i32x4.extend_low_i16x8_u (v128.load64_zero (local.get $at))))
                        (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $at)))))))
                    (local.get $z0))
                  (local.get $s0))))
            (local.get $half)))
        (local.set $corner (i32x4.sub (i32x4.shl (local.get $corner) (i32.const 1)) (f32x4.gt (local.get $y) (local.get $zerof))))
        (local.set $w0 (f32x4.sub (local.get $inner) (f32x4.abs (local.get $y))))
        (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w0) (local.get $w0))))
        ;; The corner's vertex and its segments' axes; beyond 16 corners the high halves too: the low
        ;; half's swizzle gives 0 for indices 16-31, the high half's (index - 16) for indices 0-15
        ;; (their low byte wraps to 240-255); or-ing the two reads either.
        (local.set $idx (v128.or (local.get $corner) (local.get $high)))
        (local.set $k (i8x16.swizzle (local.get $kTable) (local.get $idx)))
        (local.set $axisB (i8x16.swizzle (local.get $bTable) (local.get $idx)))
        (local.set $axisA (i8x16.swizzle (local.get $aTable) (local.get $idx)))
        (if (i32.ge_u (local.get $dims) (i32.const 5))
          (then
            (local.set $idx2 (v128.or (i32x4.sub (local.get $corner) (local.get $sixteen)) (local.get $high)))
            (local.set $k (v128.or (local.get $k) (i8x16.swizzle (local.get $kTable2) (local.get $idx2))))
            (local.set $axisB (v128.or (local.get $axisB) (i8x16.swizzle (local.get $bTable2) (local.get $idx2))))
            (local.set $axisA (v128.or (local.get $axisA) (i8x16.swizzle (local.get $aTable2) (local.get $idx2))))
            ;; 6 dims: corners 32-47 and 48-63 in two more quarters, read alike.
            (if (i32.eq (local.get $dims) (i32.const 6))
              (then
                (local.set $idx2 (v128.or (i32x4.sub (local.get $corner) (i32x4.splat (i32.const 32))) (local.get $high)))
                (local.set $k (v128.or (local.get $k) (i8x16.swizzle (local.get $kTable3) (local.get $idx2))))
                (local.set $axisB (v128.or (local.get $axisB) (i8x16.swizzle (local.get $bTable3) (local.get $idx2))))
                (local.set $axisA (v128.or (local.get $axisA) (i8x16.swizzle (local.get $aTable3) (local.get $idx2))))
                (local.set $idx2 (v128.or (i32x4.sub (local.get $corner) (i32x4.splat (i32.const 48))) (local.get $high)))
                (local.set $k (v128.or (local.get $k) (i8x16.swizzle (local.get $kTable4) (local.get $idx2))))
                (local.set $axisB (v128.or (local.get $axisB) (i8x16.swizzle (local.get $bTable4) (local.get $idx2))))
                (local.set $axisA (v128.or (local.get $axisA) (i8x16.swizzle (local.get $aTable4) (local.get $idx2))))))))
        ;; The inward distance along the axis of the segment before / after vertex k: one component
        ;; matches (0 where the segment is absent, which CubeWalk.decode's -Infinity gives alike).
        (local.set $before
          (v128.or
            (v128.or
              (v128.and (local.get $w0) (i32x4.eq (local.get $axisB) (v128.const i32x4 0 0 0 0)))
              (v128.and (local.get $w1) (i32x4.eq (local.get $axisB) (local.get $one))))
            (v128.and (local.get $w2) (i32x4.eq (local.get $axisB) (local.get $two)))))
        (local.set $after
          (v128.or
            (v128.or
              (v128.and (local.get $w0) (i32x4.eq (local.get $axisA) (v128.const i32x4 0 0 0 0)))
              (v128.and (local.get $w1) (i32x4.eq (local.get $axisA) (local.get $one))))
            (v128.and (local.get $w2) (i32x4.eq (local.get $axisA) (local.get $two)))))
        (if (i32.ge_u (local.get $dims) (i32.const 4))
          (then
            (local.set $before (v128.or (local.get $before) (v128.and (local.get $w3) (i32x4.eq (local.get $axisB) (local.get $three)))))
            (local.set $after (v128.or (local.get $after) (v128.and (local.get $w3) (i32x4.eq (local.get $axisA) (local.get $three)))))
            (if (i32.ge_u (local.get $dims) (i32.const 5))
              (then
                (local.set $before (v128.or (local.get $before) (v128.and (local.get $w4) (i32x4.eq (local.get $axisB) (local.get $four)))))
                (local.set $after (v128.or (local.get $after) (v128.and (local.get $w4) (i32x4.eq (local.get $axisA) (local.get $four)))))
                (if (i32.eq (local.get $dims) (i32.const 6))
                  (then
                    (local.set $before (v128.or (local.get $before) (v128.and (local.get $w5) (i32x4.eq (local.get $axisB) (local.get $five)))))
                    (local.set $after (v128.or (local.get $after) (v128.and (local.get $w5) (i32x4.eq (local.get $axisA) (local.get $five)))))))))))
        ;; Along a segment's own axis the projection removes p's offset; off it, the offset stays.
        (local.set $b (f32x4.pmax (local.get $before) (local.get $zerof)))
        (local.set $a (f32x4.pmax (local.get $after) (local.get $zerof)))
        (local.set $along (f32x4.pmax (local.get $a) (local.get $b)))
        (if (local.get $blendOn)
          (then
            ;; The corner blend (CubeWalk.decode): dq = ta - w (ta + tb), w = clamp(1/2 + r / (2 blend),
            ;; 0, 1), r = (b - a) / (b + a). Here a, b <= 1/2 - margin = spacing / 2, so ta = a / spacing
            ;; and tb = b / spacing need no clamp, and w (ta + tb) = clamp((a + b) / 2 + (b - a) / (2
            ;; blend), 0, a + b) / spacing: no division (and a + b = 0 gives dq = 0, as r = 0 does).
            (local.set $sum (f32x4.add (local.get $b) (local.get $a)))
            (local.set $dq
              (f32x4.mul (local.get $invS)
                (f32x4.sub (local.get $a)
                  (f32x4.pmin
                    (f32x4.pmax
                      (f32x4.add (f32x4.mul (local.get $half) (local.get $sum))
                        (f32x4.mul (local.get $blend) (f32x4.sub (local.get $b) (local.get $a))))
                      (local.get $zerof))
                    (local.get $sum))))))
          (else
            ;; q = k + t towards the next vertex when after > before, else k - t (ties to the lower
            ;; segment, as in the exact search).
            (local.set $ta (f32x4.pmin (f32x4.mul (local.get $along) (local.get $invS)) (local.get $onef)))
            (local.set $dq (v128.bitselect (local.get $ta) (f32x4.neg (local.get $ta)) (f32x4.gt (local.get $after) (local.get $before))))))
        ;; Beyond the exactness bound: NaN, and the index on the list for the caller's exact decode.
        ;; Vouched for: within the bound of the projection (spacing / 2; a soft fold's start), or
        ;; (tested only in the rare blocks where some sample is not, and not under a soft fold)
        ;; clear of every other segment: along^2 + spacing^2 - worst > CLEAR_MARGIN (header 168),
        ;; as CubeWalk.clearOfOthers in cube-walk.ts.
        (local.set $beyond
          (f32x4.gt (f32x4.sub (local.get $far2) (f32x4.mul (local.get $along) (local.get $along))) (local.get $bound2)))
        (if (i32.and (local.get $clearOn) (v128.any_true (local.get $beyond)))
          (then
            (local.set $beyond (v128.andnot (local.get $beyond) (call $clearOfOthers (local.get $w0) (local.get $w1) (local.get $w2) (local.get $w3) (local.get $w4) (local.get $w5) (local.get $along) (local.get $dims))))))
        ;; A non-finite component (float input only) makes far2 NaN or infinite: listed too, for the
        ;; caller to reject.
        (if (local.get $isFloat)
          (then (local.set $beyond (v128.or (local.get $beyond) (v128.not (f32x4.lt (local.get $far2) (local.get $inf)))))))
        ;; q in output units; a listed lane is all ones, a NaN.
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (v128.or
            (f32x4.mul (f32x4.add (f32x4.convert_i32x4_s (local.get $k)) (local.get $dq)) (local.get $perVertex))
            (local.get $beyond)))
        ;; Rare (under 0.1 % of samples on the scenes a model was trained for): a branch per block.
        (if (v128.any_true (local.get $beyond))
          (then
            (if (i32x4.extract_lane 0 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 1 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $i) (i32.const 1)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 2 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $i) (i32.const 2)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 3 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $i) (i32.const 3)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (local.get $count))
;; decode8: the same decode for 8-bit codes whose dequantized centre 1/2 falls at code 127.5 in
;; every component, with one scale (the head tail's sigmoid codes, head-tail.ts SIGMOID_CODES:
;; scale 1/255, zero point 0), sixteen samples per step. A component's corner bit is then its
;; code's top bit, and its inward distance C - m s, with m = |code - 127.5| - 1/2 = max(code - 128,
;; 127 - code) a byte and C = (1/2 - margin) - s/2. So the corner, the table look-ups and the
;; selection of the segments' axes run on bytes, 16 lanes at a time, and |p - corner|^2 =
;; sum (C - m s)^2 = dims C^2 - 2 C s sum m + s^2 sum m^2 on integer sums; only the projection
;; runs in f32x4, four lanes at a time (the four groups of a step unrolled), as in decode.
;; Scratch at 176..399: 176 the vertices k, 192 the before axis's m, 208 the after axis's m
;; (bytes, an absent segment's 255, which gives a negative distance: it reads 0), 224 sum m (i16
;; per sample), 256 sum m^2 (i32 per sample), 320 each component's m (16 bytes each; component
;; 5's at 3584).
;; $n a multiple of 16; planes at $codes, $n bytes each (so the input starts at 6000 or later).
  (func (export "decode8") (param $codes i32) (param $n i32) (param $dims i32) (param $out i32) (param $list i32) (result i32)
    (local $i i32) (local $at i32) (local $count i32) (local $blendOn i32) (local $clearOn i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $p4 i32) (local $p5 i32)
    (local $v v128) (local $m v128) (local $lo v128) (local $hi v128) (local $sumLo v128) (local $sumHi v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $corner v128) (local $corner2 v128) (local $axisB v128) (local $axisA v128) (local $k v128) (local $bm v128) (local $am v128)
    (local $kTable v128) (local $kTable2 v128) (local $bTable v128) (local $bTable2 v128) (local $aTable v128) (local $aTable2 v128)
    (local $kTable3 v128) (local $kTable4 v128) (local $bTable3 v128) (local $bTable4 v128) (local $aTable3 v128) (local $aTable4 v128)
    (local $c127 v128) (local $c128 v128) (local $sixteen v128) (local $absent v128)
    (local $s v128) (local $C v128) (local $dC2 v128) (local $twoCs v128) (local $s2 v128)
    (local $zerof v128) (local $onef v128) (local $half v128) (local $invS v128) (local $bound2 v128)
    (local $perVertex v128) (local $blend v128)
    (local $before v128) (local $after v128) (local $a v128) (local $b v128) (local $along v128)
    (local $ta v128) (local $sum v128) (local $dq v128) (local $far2 v128) (local $beyond v128)
   
   
    (local $cs f32)
    (local.set $p0 (local.get $codes))
    (local.set $p1 (i32.add (local.get $p0) (local.get $n)))
    (local.set $p2 (i32.add (local.get $p1) (local.get $n)))
    (local.set $p3 (i32.add (local.get $p2) (local.get $n)))
    (local.set $p4 (i32.add (local.get $p3) (local.get $n)))
    (local.set $p5 (i32.add (local.get $p4) (local.get $n)))
    (local.set $kTable (v128.load (i32.const 0)))
    (local.set $kTable2 (v128.load (i32.const 16)))
    (local.set $bTable (v128.load (i32.const 32)))
    (local.set $bTable2 (v128.load (i32.const 48)))
    (local.set $aTable (v128.load (i32.const 64)))
    (local.set $aTable2 (v128.load (i32.const 80)))
    (local.set $kTable3 (v128.load (i32.const 3472)))
    (local.set $kTable4 (v128.load (i32.const 3488)))
    (local.set $bTable3 (v128.load (i32.const 3504)))
    (local.set $bTable4 (v128.load (i32.const 3520)))
    (local.set $aTable3 (v128.load (i32.const 3536)))
    (local.set $aTable4 (v128.load (i32.const 3552)))
    (local.set $c127 (i8x16.splat (i32.const 127)))
    (local.set $c128 (i8x16.splat (i32.const 128)))
    (local.set $sixteen (i8x16.splat (i32.const 16)))
    (local.set $absent (i8x16.splat (i32.const 7)))
    ;; C = (1/2 - margin) - s/2 in f32, s the scale of component 0 (the caller checks they are one).
    (local.set $cs (f32.sub (f32.sub (f32.const 0.5) (f32.load offset=136 (i32.const 0))) (f32.mul (f32.const 0.5) (f32.load offset=96 (i32.const 0)))))
    (local.set $C (f32x4.splat (local.get $cs)))
    (local.set $s (f32x4.splat (f32.load offset=96 (i32.const 0))))
    (local.set $dC2 (f32x4.splat (f32.mul (f32.convert_i32_u (local.get $dims)) (f32.mul (local.get $cs) (local.get $cs)))))
    (local.set $twoCs (f32x4.splat (f32.mul (f32.mul (f32.const 2) (local.get $cs)) (f32.load offset=96 (i32.const 0)))))
    (local.set $s2 (f32x4.mul (local.get $s) (local.get $s)))
    (local.set $zerof (f32x4.splat (f32.const 0)))
    (local.set $onef (f32x4.splat (f32.const 1)))
    (local.set $half (f32x4.splat (f32.const 0.5)))
    (local.set $invS (f32x4.splat (f32.load offset=144 (i32.const 0))))
    (local.set $bound2 (f32x4.splat (f32.load offset=148 (i32.const 0))))
    (local.set $perVertex (f32x4.splat (f32.load offset=152 (i32.const 0))))
    (local.set $blend (f32x4.splat (f32.load offset=156 (i32.const 0))))
    (local.set $blendOn (f32.gt (f32.load offset=156 (i32.const 0)) (f32.const 0)))
    ;; An infinite CLEAR_MARGIN (a soft fold: every listed sample goes to the caller) skips the test.
    (local.set $clearOn (f32.lt (f32.load offset=168 (i32.const 0)) (f32.const inf)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $corner (v128.const i32x4 0 0 0 0))
        (local.set $sumLo (v128.const i32x4 0 0 0 0))
        (local.set $sumHi (v128.const i32x4 0 0 0 0))
        (local.set $q0 (v128.const i32x4 0 0 0 0))
        (local.set $q1 (v128.const i32x4 0 0 0 0))
        (local.set $q2 (v128.const i32x4 0 0 0 0))
        (local.set $q3 (v128.const i32x4 0 0 0 0))
        ;; component 0: its corner bit (code >= 128) and m = |code - 127.5| - 1/2, kept for the selection
        (local.set $v (v128.load (i32.add (local.get $p0) (local.get $i))))
        (local.set $corner (v128.or (local.get $corner) (i8x16.shl (i8x16.shr_u (local.get $v) (i32.const 7)) (i32.const 0))))
        (local.set $m (v128.or (i8x16.sub_sat_u (local.get $v) (local.get $c128)) (i8x16.sub_sat_u (local.get $c127) (local.get $v))))
        (v128.store offset=320 (i32.const 0) (local.get $m))
        ;; sum m and sum m^2 per sample (i16 and i32: at most 6 x 127 and 6 x 127^2)
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $m)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $m)))
        (local.set $sumLo (i16x8.add (local.get $sumLo) (local.get $lo)))
        (local.set $sumHi (i16x8.add (local.get $sumHi) (local.get $hi)))
        (local.set $q0 (i32x4.add (local.get $q0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $lo))))
        (local.set $q1 (i32x4.add (local.get $q1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $lo))))
        (local.set $q2 (i32x4.add (local.get $q2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $hi))))
        (local.set $q3 (i32x4.add (local.get $q3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $hi))))
        ;; component 1: its corner bit (code >= 128) and m = |code - 127.5| - 1/2, kept for the selection
        (local.set $v (v128.load (i32.add (local.get $p1) (local.get $i))))
        (local.set $corner (v128.or (local.get $corner) (i8x16.shl (i8x16.shr_u (local.get $v) (i32.const 7)) (i32.const 1))))
        (local.set $m (v128.or (i8x16.sub_sat_u (local.get $v) (local.get $c128)) (i8x16.sub_sat_u (local.get $c127) (local.get $v))))
        (v128.store offset=336 (i32.const 0) (local.get $m))
        ;; sum m and sum m^2 per sample (i16 and i32: at most 6 x 127 and 6 x 127^2)
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $m)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $m)))
        (local.set $sumLo (i16x8.add (local.get $sumLo) (local.get $lo)))
        (local.set $sumHi (i16x8.add (local.get $sumHi) (local.get $hi)))
        (local.set $q0 (i32x4.add (local.get $q0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $lo))))
        (local.set $q1 (i32x4.add (local.get $q1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $lo))))
        (local.set $q2 (i32x4.add (local.get $q2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $hi))))
        (local.set $q3 (i32x4.add (local.get $q3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $hi))))
        ;; component 2: its corner bit (code >= 128) and m = |code - 127.5| - 1/2, kept for the selection
        (local.set $v (v128.load (i32.add (local.get $p2) (local.get $i))))
        (local.set $corner (v128.or (local.get $corner) (i8x16.shl (i8x16.shr_u (local.get $v) (i32.const 7)) (i32.const 2))))
        (local.set $m (v128.or (i8x16.sub_sat_u (local.get $v) (local.get $c128)) (i8x16.sub_sat_u (local.get $c127) (local.get $v))))
        (v128.store offset=352 (i32.const 0) (local.get $m))
        ;; sum m and sum m^2 per sample (i16 and i32: at most 6 x 127 and 6 x 127^2)
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $m)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $m)))
        (local.set $sumLo (i16x8.add (local.get $sumLo) (local.get $lo)))
        (local.set $sumHi (i16x8.add (local.get $sumHi) (local.get $hi)))
        (local.set $q0 (i32x4.add (local.get $q0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $lo))))
        (local.set $q1 (i32x4.add (local.get $q1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $lo))))
        (local.set $q2 (i32x4.add (local.get $q2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $hi))))
        (local.set $q3 (i32x4.add (local.get $q3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $hi))))
        (if (i32.ge_u (local.get $dims) (i32.const 4))
          (then
            ;; component 3: its corner bit (code >= 128) and m = |code - 127.5| - 1/2, kept for the selection
            (local.set $v (v128.load (i32.add (local.get $p3) (local.get $i))))
            (local.set $corner (v128.or (local.get $corner) (i8x16.shl (i8x16.shr_u (local.get $v) (i32.const 7)) (i32.const 3))))
            (local.set $m (v128.or (i8x16.sub_sat_u (local.get $v) (local.get $c128)) (i8x16.sub_sat_u (local.get $c127) (local.get $v))))
            (v128.store offset=368 (i32.const 0) (local.get $m))
            ;; sum m and sum m^2 per sample (i16 and i32: at most 6 x 127 and 6 x 127^2)
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $m)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $m)))
            (local.set $sumLo (i16x8.add (local.get $sumLo) (local.get $lo)))
            (local.set $sumHi (i16x8.add (local.get $sumHi) (local.get $hi)))
            (local.set $q0 (i32x4.add (local.get $q0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $lo))))
            (local.set $q1 (i32x4.add (local.get $q1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $lo))))
            (local.set $q2 (i32x4.add (local.get $q2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $hi))))
            (local.set $q3 (i32x4.add (local.get $q3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $hi))))
          ))
        (if (i32.ge_u (local.get $dims) (i32.const 5))
          (then
            ;; component 4: its corner bit (code >= 128) and m = |code - 127.5| - 1/2, kept for the selection
            (local.set $v (v128.load (i32.add (local.get $p4) (local.get $i))))
            (local.set $corner (v128.or (local.get $corner) (i8x16.shl (i8x16.shr_u (local.get $v) (i32.const 7)) (i32.const 4))))
            (local.set $m (v128.or (i8x16.sub_sat_u (local.get $v) (local.get $c128)) (i8x16.sub_sat_u (local.get $c127) (local.get $v))))
            (v128.store offset=384 (i32.const 0) (local.get $m))
            ;; sum m and sum m^2 per sample (i16 and i32: at most 6 x 127 and 6 x 127^2)
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $m)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $m)))
            (local.set $sumLo (i16x8.add (local.get $sumLo) (local.get $lo)))
            (local.set $sumHi (i16x8.add (local.get $sumHi) (local.get $hi)))
            (local.set $q0 (i32x4.add (local.get $q0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $lo))))
            (local.set $q1 (i32x4.add (local.get $q1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $lo))))
            (local.set $q2 (i32x4.add (local.get $q2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $hi))))
            (local.set $q3 (i32x4.add (local.get $q3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $hi))))
          ))
        (if (i32.eq (local.get $dims) (i32.const 6))
          (then
            ;; component 5: its corner bit (code >= 128) and m = |code - 127.5| - 1/2, kept for the selection
            (local.set $v (v128.load (i32.add (local.get $p5) (local.get $i))))
            (local.set $corner (v128.or (local.get $corner) (i8x16.shl (i8x16.shr_u (local.get $v) (i32.const 7)) (i32.const 5))))
            (local.set $m (v128.or (i8x16.sub_sat_u (local.get $v) (local.get $c128)) (i8x16.sub_sat_u (local.get $c127) (local.get $v))))
            (v128.store offset=3584 (i32.const 0) (local.get $m))
            ;; sum m and sum m^2 per sample (i16 and i32: at most 6 x 127 and 6 x 127^2)
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $m)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $m)))
            (local.set $sumLo (i16x8.add (local.get $sumLo) (local.get $lo)))
            (local.set $sumHi (i16x8.add (local.get $sumHi) (local.get $hi)))
            (local.set $q0 (i32x4.add (local.get $q0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $lo))))
            (local.set $q1 (i32x4.add (local.get $q1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $lo))))
            (local.set $q2 (i32x4.add (local.get $q2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $hi))))
            (local.set $q3 (i32x4.add (local.get $q3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $hi))))
          ))
        ;; The corner's vertex and its segments' axes, 16 lanes: indices 16-31 read the high halves
        ;; (a swizzle gives 0 for an index of 16 or more, and corner - 16 wraps to 240-255 below 16).
        (local.set $k (i8x16.swizzle (local.get $kTable) (local.get $corner)))
        (local.set $axisB (i8x16.swizzle (local.get $bTable) (local.get $corner)))
        (local.set $axisA (i8x16.swizzle (local.get $aTable) (local.get $corner)))
        (if (i32.ge_u (local.get $dims) (i32.const 5))
          (then
            (local.set $corner2 (i8x16.sub (local.get $corner) (local.get $sixteen)))
            (local.set $k (v128.or (local.get $k) (i8x16.swizzle (local.get $kTable2) (local.get $corner2))))
            (local.set $axisB (v128.or (local.get $axisB) (i8x16.swizzle (local.get $bTable2) (local.get $corner2))))
            (local.set $axisA (v128.or (local.get $axisA) (i8x16.swizzle (local.get $aTable2) (local.get $corner2))))
            ;; 6 dims: corners 32-47 and 48-63 in two more quarters, read alike.
            (if (i32.eq (local.get $dims) (i32.const 6))
              (then
                (local.set $corner2 (i8x16.sub (local.get $corner) (i8x16.splat (i32.const 32))))
                (local.set $k (v128.or (local.get $k) (i8x16.swizzle (local.get $kTable3) (local.get $corner2))))
                (local.set $axisB (v128.or (local.get $axisB) (i8x16.swizzle (local.get $bTable3) (local.get $corner2))))
                (local.set $axisA (v128.or (local.get $axisA) (i8x16.swizzle (local.get $aTable3) (local.get $corner2))))
                (local.set $corner2 (i8x16.sub (local.get $corner) (i8x16.splat (i32.const 48))))
                (local.set $k (v128.or (local.get $k) (i8x16.swizzle (local.get $kTable4) (local.get $corner2))))
                (local.set $axisB (v128.or (local.get $axisB) (i8x16.swizzle (local.get $bTable4) (local.get $corner2))))
                (local.set $axisA (v128.or (local.get $axisA) (i8x16.swizzle (local.get $aTable4) (local.get $corner2))))))))
        ;; m of the axis of the segment before / after vertex k (255 where that segment is absent).
        (local.set $bm
          (v128.or (i8x16.eq (local.get $axisB) (local.get $absent))
            (v128.or
              (v128.or
                (v128.and (v128.load offset=320 (i32.const 0)) (i8x16.eq (local.get $axisB) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))
                (v128.and (v128.load offset=336 (i32.const 0)) (i8x16.eq (local.get $axisB) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1))))
              (v128.and (v128.load offset=352 (i32.const 0)) (i8x16.eq (local.get $axisB) (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2))))))
        (local.set $am
          (v128.or (i8x16.eq (local.get $axisA) (local.get $absent))
            (v128.or
              (v128.or
                (v128.and (v128.load offset=320 (i32.const 0)) (i8x16.eq (local.get $axisA) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))
                (v128.and (v128.load offset=336 (i32.const 0)) (i8x16.eq (local.get $axisA) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1))))
              (v128.and (v128.load offset=352 (i32.const 0)) (i8x16.eq (local.get $axisA) (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2))))))
        (if (i32.ge_u (local.get $dims) (i32.const 4))
          (then
            (local.set $bm (v128.or (local.get $bm)
              (v128.and (v128.load offset=368 (i32.const 0)) (i8x16.eq (local.get $axisB) (v128.const i8x16 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3)))))
            (local.set $am (v128.or (local.get $am)
              (v128.and (v128.load offset=368 (i32.const 0)) (i8x16.eq (local.get $axisA) (v128.const i8x16 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3)))))
            (if (i32.ge_u (local.get $dims) (i32.const 5))
              (then
                (local.set $bm (v128.or (local.get $bm)
                  (v128.and (v128.load offset=384 (i32.const 0)) (i8x16.eq (local.get $axisB) (v128.const i8x16 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4)))))
                (local.set $am (v128.or (local.get $am)
                  (v128.and (v128.load offset=384 (i32.const 0)) (i8x16.eq (local.get $axisA) (v128.const i8x16 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4)))))
                (if (i32.eq (local.get $dims) (i32.const 6))
                  (then
                    (local.set $bm (v128.or (local.get $bm)
                      (v128.and (v128.load offset=3584 (i32.const 0)) (i8x16.eq (local.get $axisB) (v128.const i8x16 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5)))))
                    (local.set $am (v128.or (local.get $am)
                      (v128.and (v128.load offset=3584 (i32.const 0)) (i8x16.eq (local.get $axisA) (v128.const i8x16 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5)))))))))))
        (v128.store offset=176 (i32.const 0) (local.get $k))
        (v128.store offset=192 (i32.const 0) (local.get $bm))
        (v128.store offset=208 (i32.const 0) (local.get $am))
        (v128.store offset=224 (i32.const 0) (local.get $sumLo))
        (v128.store offset=240 (i32.const 0) (local.get $sumHi))
        (v128.store offset=256 (i32.const 0) (local.get $q0))
        (v128.store offset=272 (i32.const 0) (local.get $q1))
        (v128.store offset=288 (i32.const 0) (local.get $q2))
        (v128.store offset=304 (i32.const 0) (local.get $q3))
        ;; Four samples at a time (unrolled: constant scratch offsets): the projection in f32x4, as
        ;; decode does it.
        ;; samples 0-3
        (local.set $before (f32x4.sub (local.get $C) (f32x4.mul (local.get $s)
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=192 (i32.const 0))))))))
        (local.set $after (f32x4.sub (local.get $C) (f32x4.mul (local.get $s)
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=208 (i32.const 0))))))))
        ;; |p - corner|^2 from the integer sums (f32: within a few units in the last place of decode's)
        (local.set $far2
          (f32x4.add
            (f32x4.sub (local.get $dC2)
              (f32x4.mul (local.get $twoCs) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (v128.load64_zero offset=224 (i32.const 0))))))
            (f32x4.mul (local.get $s2) (f32x4.convert_i32x4_u (v128.load offset=256 (i32.const 0))))))
        ;; Along a segment's own axis the projection removes p's offset; off it, the offset stays.
        (local.set $b (f32x4.pmax (local.get $before) (local.get $zerof)))
        (local.set $a (f32x4.pmax (local.get $after) (local.get $zerof)))
        (local.set $along (f32x4.pmax (local.get $a) (local.get $b)))
        (if (local.get $blendOn)
          (then
            ;; The corner blend (CubeWalk.decode): dq = ta - w (ta + tb), w = clamp(1/2 + r / (2 blend),
            ;; 0, 1), r = (b - a) / (b + a). Here a, b <= C < spacing, so ta = a / spacing and
            ;; tb = b / spacing need no clamp, and w (ta + tb) = clamp((a + b) / 2 + (b - a) / (2 blend),
            ;; 0, a + b) / spacing: no division (and a + b = 0 gives dq = 0, as r = 0 does).
            (local.set $sum (f32x4.add (local.get $b) (local.get $a)))
            (local.set $dq
              (f32x4.mul (local.get $invS)
                (f32x4.sub (local.get $a)
                  (f32x4.pmin
                    (f32x4.pmax
                      (f32x4.add (f32x4.mul (local.get $half) (local.get $sum))
                        (f32x4.mul (local.get $blend) (f32x4.sub (local.get $b) (local.get $a))))
                      (local.get $zerof))
                    (local.get $sum))))))
          (else
            ;; q = k + t towards the next vertex when after > before, else k - t (ties to the lower
            ;; segment, as in the exact search).
            (local.set $ta (f32x4.pmin (f32x4.mul (local.get $along) (local.get $invS)) (local.get $onef)))
            (local.set $dq (v128.bitselect (local.get $ta) (f32x4.neg (local.get $ta)) (f32x4.gt (local.get $after) (local.get $before))))))
        (local.set $beyond
          (f32x4.gt (f32x4.sub (local.get $far2) (f32x4.mul (local.get $along) (local.get $along))) (local.get $bound2)))
        (if (i32.and (local.get $clearOn) (v128.any_true (local.get $beyond)))
          (then
            (local.set $beyond (v128.andnot (local.get $beyond) (call $clearOfOthers8 (i32.const 0) (local.get $dims) (local.get $C) (local.get $s) (local.get $along))))))
        (local.set $at (i32.add (local.get $i) (i32.const 0)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 2)))
          (v128.or
            (f32x4.mul
              (f32x4.add (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=176 (i32.const 0)))))
                (local.get $dq))
              (local.get $perVertex))
            (local.get $beyond)))
        (if (v128.any_true (local.get $beyond))
          (then
            (if (i32x4.extract_lane 0 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $at))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 1 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 1)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 2 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 2)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 3 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 3)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
        ;; samples 4-7
        (local.set $before (f32x4.sub (local.get $C) (f32x4.mul (local.get $s)
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=196 (i32.const 0))))))))
        (local.set $after (f32x4.sub (local.get $C) (f32x4.mul (local.get $s)
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=212 (i32.const 0))))))))
        ;; |p - corner|^2 from the integer sums (f32: within a few units in the last place of decode's)
        (local.set $far2
          (f32x4.add
            (f32x4.sub (local.get $dC2)
              (f32x4.mul (local.get $twoCs) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (v128.load64_zero offset=232 (i32.const 0))))))
            (f32x4.mul (local.get $s2) (f32x4.convert_i32x4_u (v128.load offset=272 (i32.const 0))))))
        ;; Along a segment's own axis the projection removes p's offset; off it, the offset stays.
        (local.set $b (f32x4.pmax (local.get $before) (local.get $zerof)))
        (local.set $a (f32x4.pmax (local.get $after) (local.get $zerof)))
        (local.set $along (f32x4.pmax (local.get $a) (local.get $b)))
        (if (local.get $blendOn)
          (then
            ;; The corner blend (CubeWalk.decode): dq = ta - w (ta + tb), w = clamp(1/2 + r / (2 blend),
            ;; 0, 1), r = (b - a) / (b + a). Here a, b <= C < spacing, so ta = a / spacing and
            ;; tb = b / spacing need no clamp, and w (ta + tb) = clamp((a + b) / 2 + (b - a) / (2 blend),
            ;; 0, a + b) / spacing: no division (and a + b = 0 gives dq = 0, as r = 0 does).
            (local.set $sum (f32x4.add (local.get $b) (local.get $a)))
            (local.set $dq
              (f32x4.mul (local.get $invS)
                (f32x4.sub (local.get $a)
                  (f32x4.pmin
                    (f32x4.pmax
                      (f32x4.add (f32x4.mul (local.get $half) (local.get $sum))
                        (f32x4.mul (local.get $blend) (f32x4.sub (local.get $b) (local.get $a))))
                      (local.get $zerof))
                    (local.get $sum))))))
          (else
            ;; q = k + t towards the next vertex when after > before, else k - t (ties to the lower
            ;; segment, as in the exact search).
            (local.set $ta (f32x4.pmin (f32x4.mul (local.get $along) (local.get $invS)) (local.get $onef)))
            (local.set $dq (v128.bitselect (local.get $ta) (f32x4.neg (local.get $ta)) (f32x4.gt (local.get $after) (local.get $before))))))
        (local.set $beyond
          (f32x4.gt (f32x4.sub (local.get $far2) (f32x4.mul (local.get $along) (local.get $along))) (local.get $bound2)))
        (if (i32.and (local.get $clearOn) (v128.any_true (local.get $beyond)))
          (then
            (local.set $beyond (v128.andnot (local.get $beyond) (call $clearOfOthers8 (i32.const 4) (local.get $dims) (local.get $C) (local.get $s) (local.get $along))))))
        (local.set $at (i32.add (local.get $i) (i32.const 4)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 2)))
          (v128.or
            (f32x4.mul
              (f32x4.add (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=180 (i32.const 0)))))
                (local.get $dq))
              (local.get $perVertex))
            (local.get $beyond)))
        (if (v128.any_true (local.get $beyond))
          (then
            (if (i32x4.extract_lane 0 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $at))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 1 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 1)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 2 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 2)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 3 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 3)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
        ;; samples 8-11
        (local.set $before (f32x4.sub (local.get $C) (f32x4.mul (local.get $s)
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=200 (i32.const 0))))))))
        (local.set $after (f32x4.sub (local.get $C) (f32x4.mul (local.get $s)
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=216 (i32.const 0))))))))
        ;; |p - corner|^2 from the integer sums (f32: within a few units in the last place of decode's)
        (local.set $far2
          (f32x4.add
            (f32x4.sub (local.get $dC2)
              (f32x4.mul (local.get $twoCs) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (v128.load64_zero offset=240 (i32.const 0))))))
            (f32x4.mul (local.get $s2) (f32x4.convert_i32x4_u (v128.load offset=288 (i32.const 0))))))
        ;; Along a segment's own axis the projection removes p's offset; off it, the offset stays.
        (local.set $b (f32x4.pmax (local.get $before) (local.get $zerof)))
        (local.set $a (f32x4.pmax (local.get $after) (local.get $zerof)))
        (local.set $along (f32x4.pmax (local.get $a) (local.get $b)))
        (if (local.get $blendOn)
          (then
            ;; The corner blend (CubeWalk.decode): dq = ta - w (ta + tb), w = clamp(1/2 + r / (2 blend),
            ;; 0, 1), r = (b - a) / (b + a). Here a, b <= C < spacing, so ta = a / spacing and
            ;; tb = b / spacing need no clamp, and w (ta + tb) = clamp((a + b) / 2 + (b - a) / (2 blend),
            ;; 0, a + b) / spacing: no division (and a + b = 0 gives dq = 0, as r = 0 does).
            (local.set $sum (f32x4.add (local.get $b) (local.get $a)))
            (local.set $dq
              (f32x4.mul (local.get $invS)
                (f32x4.sub (local.get $a)
                  (f32x4.pmin
                    (f32x4.pmax
                      (f32x4.add (f32x4.mul (local.get $half) (local.get $sum))
                        (f32x4.mul (local.get $blend) (f32x4.sub (local.get $b) (local.get $a))))
                      (local.get $zerof))
                    (local.get $sum))))))
          (else
            ;; q = k + t towards the next vertex when after > before, else k - t (ties to the lower
            ;; segment, as in the exact search).
            (local.set $ta (f32x4.pmin (f32x4.mul (local.get $along) (local.get $invS)) (local.get $onef)))
            (local.set $dq (v128.bitselect (local.get $ta) (f32x4.neg (local.get $ta)) (f32x4.gt (local.get $after) (local.get $before))))))
        (local.set $beyond
          (f32x4.gt (f32x4.sub (local.get $far2) (f32x4.mul (local.get $along) (local.get $along))) (local.get $bound2)))
        (if (i32.and (local.get $clearOn) (v128.any_true (local.get $beyond)))
          (then
            (local.set $beyond (v128.andnot (local.get $beyond) (call $clearOfOthers8 (i32.const 8) (local.get $dims) (local.get $C) (local.get $s) (local.get $along))))))
        (local.set $at (i32.add (local.get $i) (i32.const 8)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 2)))
          (v128.or
            (f32x4.mul
              (f32x4.add (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=184 (i32.const 0)))))
                (local.get $dq))
              (local.get $perVertex))
            (local.get $beyond)))
        (if (v128.any_true (local.get $beyond))
          (then
            (if (i32x4.extract_lane 0 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $at))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 1 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 1)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 2 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 2)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 3 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 3)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
        ;; samples 12-15
        (local.set $before (f32x4.sub (local.get $C) (f32x4.mul (local.get $s)
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=204 (i32.const 0))))))))
        (local.set $after (f32x4.sub (local.get $C) (f32x4.mul (local.get $s)
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=220 (i32.const 0))))))))
        ;; |p - corner|^2 from the integer sums (f32: within a few units in the last place of decode's)
        (local.set $far2
          (f32x4.add
            (f32x4.sub (local.get $dC2)
              (f32x4.mul (local.get $twoCs) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (v128.load64_zero offset=248 (i32.const 0))))))
            (f32x4.mul (local.get $s2) (f32x4.convert_i32x4_u (v128.load offset=304 (i32.const 0))))))
        ;; Along a segment's own axis the projection removes p's offset; off it, the offset stays.
        (local.set $b (f32x4.pmax (local.get $before) (local.get $zerof)))
        (local.set $a (f32x4.pmax (local.get $after) (local.get $zerof)))
        (local.set $along (f32x4.pmax (local.get $a) (local.get $b)))
        (if (local.get $blendOn)
          (then
            ;; The corner blend (CubeWalk.decode): dq = ta - w (ta + tb), w = clamp(1/2 + r / (2 blend),
            ;; 0, 1), r = (b - a) / (b + a). Here a, b <= C < spacing, so ta = a / spacing and
            ;; tb = b / spacing need no clamp, and w (ta + tb) = clamp((a + b) / 2 + (b - a) / (2 blend),
            ;; 0, a + b) / spacing: no division (and a + b = 0 gives dq = 0, as r = 0 does).
            (local.set $sum (f32x4.add (local.get $b) (local.get $a)))
            (local.set $dq
              (f32x4.mul (local.get $invS)
                (f32x4.sub (local.get $a)
                  (f32x4.pmin
                    (f32x4.pmax
                      (f32x4.add (f32x4.mul (local.get $half) (local.get $sum))
                        (f32x4.mul (local.get $blend) (f32x4.sub (local.get $b) (local.get $a))))
                      (local.get $zerof))
                    (local.get $sum))))))
          (else
            ;; q = k + t towards the next vertex when after > before, else k - t (ties to the lower
            ;; segment, as in the exact search).
            (local.set $ta (f32x4.pmin (f32x4.mul (local.get $along) (local.get $invS)) (local.get $onef)))
            (local.set $dq (v128.bitselect (local.get $ta) (f32x4.neg (local.get $ta)) (f32x4.gt (local.get $after) (local.get $before))))))
        (local.set $beyond
          (f32x4.gt (f32x4.sub (local.get $far2) (f32x4.mul (local.get $along) (local.get $along))) (local.get $bound2)))
        (if (i32.and (local.get $clearOn) (v128.any_true (local.get $beyond)))
          (then
            (local.set $beyond (v128.andnot (local.get $beyond) (call $clearOfOthers8 (i32.const 12) (local.get $dims) (local.get $C) (local.get $s) (local.get $along))))))
        (local.set $at (i32.add (local.get $i) (i32.const 12)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 2)))
          (v128.or
            (f32x4.mul
              (f32x4.add (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=188 (i32.const 0)))))
                (local.get $dq))
              (local.get $perVertex))
            (local.get $beyond)))
        (if (v128.any_true (local.get $beyond))
          (then
            (if (i32x4.extract_lane 0 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $at))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 1 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 1)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 2 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 2)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (if (i32x4.extract_lane 3 (local.get $beyond))
              (then (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 3)))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (local.get $count))
;; soft: CubeWalk.beyond's scan under a soft fold (CubeWalk.nearest and CubeWalk.softMean), in
;; f32x4 for four samples per step: the samples decode listed, gathered by the caller as $dims
;; planes of $n float32 points at $points ($n a multiple of 4). Every lane runs the same segments
;; in the same order, so the scan needs no branch per sample. Per block, each component's squared
;; distance to the margin and to 1 - margin (a vertex's two possible coordinates); per segment,
;; the projection t along its axis, the squared distance (its off-axis terms, looked up by the
;; segment table's addresses, plus the along-axis remainder) and q, kept at 3984 + 32 k for the
;; second pass; the least distance and the nearest segment (the first of equal ones). The terms
;; are summed afresh per segment: the running sum CubeWalk.nearest keeps in float64 drifted by
;; 1e-5 of the distance over 31 segments in float32 (63 in 6 dims). Then the mean of every segment's q weighted
;; by exp(-(d_k^2 / d_min^2 - 1) / (2 kappa^2)), exp from a polynomial (Cephes' exp2f, relative
;; error about 2e-7) and each weight cut to 0 where that exponent is 14 or more, as
;; CubeWalk.softMean cuts its table.
;; Then the decode CubeWalk.beyond makes of them: the nearest point (the corner projection at
;; $proj, in output units, which the caller has decode write for these points, where the nearest
;; segment is one of the corner's two: CubeWalk.blended), moved towards the mean by the share
;; CubeWalk.softShare gives the least distance. Writes it at $out ($n f32, output units), NaN
;; where float32 cannot tell the nearest segment and the share is under 1 (another segment's
;; point, with a different q, within SOFT_TIE, header 432, of the least squared distance) and
;; where a component is not finite: the caller decodes those exactly.
;; Header (wasm-cube-walk.ts): 420 1 / segments, 424 1 / (2 kappa^2), 428 the segment count
;; (i32), 432 SOFT_TIE, 436 the ramp's start (from x spacing), 440 1 / (spacing / 2 - start),
;; 444 the output scale (q = 1 in output units); from 448, 48 bytes per segment (63 at most): the
;; address of its axis's component at 3600 (i32), its first vertex's coordinate along that axis,
;; the step to its second (+-spacing) and that step's inverse, then five addresses (i32) of the
;; terms its distance sums: the other components' squared distances to its first vertex's
;; coordinate (3696 + 48 c, + 16 for 1 - margin), or zeros (3728): up to 5 dims slot c holds
;; component c's (zeros for its own axis and beyond $dims), in 6 dims the five others in order.
;; Scratch: 3600 the block's points (6 x 16 bytes), 3696 + 48 c component c's squared distances
;; to the margin, to 1 - margin, and zeros, 3984 + 32 k segment k's squared distance and q.
  (func (export "soft") (param $points i32) (param $n i32) (param $dims i32) (param $proj i32) (param $out i32)
    (local $i i32) (local $c i32) (local $k i32) (local $seg i32) (local $segments i32) (local $plane i32) (local $at i32)
    (local $x v128) (local $xf v128) (local $t v128) (local $along v128) (local $d2 v128) (local $q v128)
    (local $least v128) (local $bestQ v128) (local $bestSeg v128) (local $nearer v128)
    (local $dir v128) (local $y v128) (local $z v128) (local $r v128) (local $f v128) (local $w v128)
    (local $sum v128) (local $weights v128) (local $tied v128) (local $inv v128)
    (local $zerof v128) (local $onef v128) (local $big v128) (local $invSegs v128) (local $sharp v128) (local $tie v128)
    (local $cut v128) (local $log2e v128) (local $qTie v128) (local $lo v128) (local $hi v128)
    (local $corner v128) (local $vertex v128) (local $sumX v128) (local $share v128) (local $near v128) (local $mean v128)
    (local $high v128) (local $kTable v128) (local $kTable2 v128) (local $kTable3 v128) (local $kTable4 v128) (local $half v128) (local $start v128) (local $invRamp v128) (local $outScale v128)
    (local.set $segments (i32.load offset=428 (i32.const 0)))
    (local.set $plane (i32.shl (local.get $n) (i32.const 2)))
    (local.set $zerof (f32x4.splat (f32.const 0)))
    (local.set $onef (f32x4.splat (f32.const 1)))
    (local.set $big (f32x4.splat (f32.const inf)))
    (local.set $lo (f32x4.splat (f32.load offset=136 (i32.const 0))))
    (local.set $hi (f32x4.splat (f32.load offset=140 (i32.const 0))))
    (local.set $invSegs (f32x4.splat (f32.load offset=420 (i32.const 0))))
    (local.set $sharp (f32x4.splat (f32.load offset=424 (i32.const 0))))
    (local.set $tie (f32x4.splat (f32.load offset=432 (i32.const 0))))
    (local.set $cut (f32x4.splat (f32.const 14)))
    (local.set $log2e (f32x4.splat (f32.const 1.4426950408889634)))
    ;; Two q closer than this are one point (adjacent segments' shared vertex).
    (local.set $qTie (f32x4.splat (f32.const 1e-6)))
    (local.set $half (f32x4.splat (f32.const 0.5)))
    (local.set $high (i32x4.splat (i32.const 0x80808000)))
    (local.set $kTable (v128.load (i32.const 0)))
    (local.set $kTable2 (v128.load (i32.const 16)))
    (local.set $kTable3 (v128.load (i32.const 3472)))
    (local.set $kTable4 (v128.load (i32.const 3488)))
    (local.set $start (f32x4.splat (f32.load offset=436 (i32.const 0))))
    (local.set $invRamp (f32x4.splat (f32.load offset=440 (i32.const 0))))
    (local.set $outScale (f32x4.splat (f32.load offset=444 (i32.const 0))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; The block's points, their corners (bit c: component c above 1/2) and sums (finite or
        ;; not), and each component's squared distances to margin and 1 - margin.
        (local.set $corner (v128.const i32x4 0 0 0 0))
        (local.set $sumX (local.get $zerof))
        (local.set $c (i32.const 0))
        (loop $component
          (local.set $x (v128.load (i32.add (i32.add (local.get $points) (i32.mul (local.get $c) (local.get $plane))) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $corner (v128.or (local.get $corner) (v128.and (f32x4.gt (local.get $x) (local.get $half)) (i32x4.splat (i32.shl (i32.const 1) (local.get $c))))))
          (local.set $sumX (f32x4.add (local.get $sumX) (local.get $x)))
          (v128.store offset=3600 (i32.shl (local.get $c) (i32.const 4)) (local.get $x))
          (local.set $xf (f32x4.sub (local.get $x) (local.get $lo)))
          (v128.store offset=3696 (i32.mul (local.get $c) (i32.const 48)) (f32x4.mul (local.get $xf) (local.get $xf)))
          (local.set $xf (f32x4.sub (local.get $x) (local.get $hi)))
          (v128.store offset=3712 (i32.mul (local.get $c) (i32.const 48)) (f32x4.mul (local.get $xf) (local.get $xf)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $component (i32.lt_u (local.get $c) (local.get $dims))))
        (local.set $least (local.get $big))
        (local.set $bestQ (local.get $zerof))
        (local.set $bestSeg (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (local.set $seg (i32.const 448))
        (loop $segment
          (local.set $x (v128.load (i32.load (local.get $seg))))
          (local.set $dir (f32x4.splat (f32.load offset=8 (local.get $seg))))
          (local.set $xf (f32x4.sub (local.get $x) (f32x4.splat (f32.load offset=4 (local.get $seg)))))
          (local.set $t
            (f32x4.pmin (f32x4.pmax (f32x4.mul (local.get $xf) (f32x4.splat (f32.load offset=12 (local.get $seg)))) (local.get $zerof)) (local.get $onef)))
          (local.set $along (f32x4.sub (local.get $xf) (f32x4.mul (local.get $t) (local.get $dir))))
          (local.set $d2
            (f32x4.add
              (f32x4.add
                (f32x4.add (v128.load (i32.load offset=16 (local.get $seg))) (v128.load (i32.load offset=20 (local.get $seg))))
                (f32x4.add (v128.load (i32.load offset=24 (local.get $seg))) (v128.load (i32.load offset=28 (local.get $seg)))))
              (f32x4.add (v128.load (i32.load offset=32 (local.get $seg))) (f32x4.mul (local.get $along) (local.get $along)))))
          (local.set $q (f32x4.mul (f32x4.add (f32x4.convert_i32x4_s (i32x4.splat (local.get $k))) (local.get $t)) (local.get $invSegs)))
          (v128.store offset=3984 (i32.shl (local.get $k) (i32.const 5)) (local.get $d2))
          (v128.store offset=4000 (i32.shl (local.get $k) (i32.const 5)) (local.get $q))
          ;; Strictly nearer only: equal distances keep the lower segment, as the exact scan does.
          (local.set $nearer (f32x4.lt (local.get $d2) (local.get $least)))
          (local.set $least (v128.bitselect (local.get $d2) (local.get $least) (local.get $nearer)))
          (local.set $bestQ (v128.bitselect (local.get $q) (local.get $bestQ) (local.get $nearer)))
          (local.set $bestSeg (v128.bitselect (i32x4.splat (local.get $k)) (local.get $bestSeg) (local.get $nearer)))
          (local.set $seg (i32.add (local.get $seg) (i32.const 48)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $segment (i32.lt_u (local.get $k) (local.get $segments))))
        ;; The weights, and whether another point lies about as near as the nearest.
        (local.set $inv (f32x4.div (local.get $onef) (local.get $least)))
        (local.set $sum (local.get $zerof))
        (local.set $weights (local.get $zerof))
        (local.set $tied (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (loop $weigh
          (local.set $d2 (v128.load offset=3984 (i32.shl (local.get $k) (i32.const 5))))
          (local.set $q (v128.load offset=4000 (i32.shl (local.get $k) (i32.const 5))))
          (local.set $tied
            (v128.or (local.get $tied)
              (v128.and
                (f32x4.lt (local.get $d2) (f32x4.add (local.get $least) (local.get $tie)))
                (f32x4.gt (f32x4.abs (f32x4.sub (local.get $q) (local.get $bestQ))) (local.get $qTie)))))
          ;; y = (d2 / least - 1) / (2 kappa^2) in [0, 14]; exp(-y) = 2^r 2^f, r = round(-y log2 e).
          (local.set $y (f32x4.pmin (f32x4.pmax (f32x4.mul (f32x4.sub (f32x4.mul (local.get $d2) (local.get $inv)) (local.get $onef)) (local.get $sharp)) (local.get $zerof)) (local.get $cut)))
          (local.set $z (f32x4.neg (f32x4.mul (local.get $y) (local.get $log2e))))
          (local.set $r (f32x4.nearest (local.get $z)))
          (local.set $f (f32x4.sub (local.get $z) (local.get $r)))
          (local.set $w (f32x4.add (f32x4.mul (local.get $f) (f32x4.splat (f32.const 1.535336188319500e-4))) (f32x4.splat (f32.const 1.339887440266574e-3))))
          (local.set $w (f32x4.add (f32x4.mul (local.get $w) (local.get $f)) (f32x4.splat (f32.const 9.618437357674640e-3))))
          (local.set $w (f32x4.add (f32x4.mul (local.get $w) (local.get $f)) (f32x4.splat (f32.const 5.550332471162809e-2))))
          (local.set $w (f32x4.add (f32x4.mul (local.get $w) (local.get $f)) (f32x4.splat (f32.const 2.402264791363012e-1))))
          (local.set $w (f32x4.add (f32x4.mul (local.get $w) (local.get $f)) (f32x4.splat (f32.const 6.931472028550421e-1))))
          (local.set $w (f32x4.add (f32x4.mul (local.get $w) (local.get $f)) (local.get $onef)))
          ;; Times 2^r (r in [-20, 0]: a normal float's exponent bits), and 0 from y = 14 on.
          (local.set $w
            (v128.andnot
              (f32x4.mul (local.get $w) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $r)) (i32x4.splat (i32.const 127))) (i32.const 23)))
              (f32x4.ge (local.get $y) (local.get $cut))))
          (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (local.get $w) (local.get $q))))
          (local.set $weights (f32x4.add (local.get $weights) (local.get $w)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $weigh (i32.lt_u (local.get $k) (local.get $segments))))
        (local.set $mean (f32x4.mul (f32x4.div (local.get $sum) (local.get $weights)) (local.get $outScale)))
        ;; The corner's vertex k (decode's look-up: the four 16-corner quarters, or-ed; those past
        ;; the walk's corners hold zeros); the nearest point is the corner projection where its
        ;; segment is k - 1 or k (CubeWalk.blended).
        (local.set $vertex
          (v128.or
            (v128.or
              (i8x16.swizzle (local.get $kTable) (v128.or (local.get $corner) (local.get $high)))
              (i8x16.swizzle (local.get $kTable2) (v128.or (i32x4.sub (local.get $corner) (i32x4.splat (i32.const 16))) (local.get $high))))
            (v128.or
              (i8x16.swizzle (local.get $kTable3) (v128.or (i32x4.sub (local.get $corner) (i32x4.splat (i32.const 32))) (local.get $high)))
              (i8x16.swizzle (local.get $kTable4) (v128.or (i32x4.sub (local.get $corner) (i32x4.splat (i32.const 48))) (local.get $high))))))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $near
          (v128.bitselect
            (v128.load (i32.add (local.get $proj) (local.get $at)))
            (f32x4.mul (local.get $bestQ) (local.get $outScale))
            (v128.or (i32x4.eq (local.get $bestSeg) (local.get $vertex)) (i32x4.eq (local.get $bestSeg) (i32x4.sub (local.get $vertex) (i32x4.splat (i32.const 1)))))))
        ;; CubeWalk.softShare: 0 before the ramp's start, 1 from half the spacing on.
        (local.set $share
          (f32x4.pmin (f32x4.pmax (f32x4.mul (f32x4.sub (f32x4.sqrt (local.get $least)) (local.get $start)) (local.get $invRamp)) (local.get $zerof)) (local.get $onef)))
        ;; NaN (all ones) where the nearest segment is needed but open, or a component not finite.
        (v128.store (i32.add (local.get $out) (local.get $at))
          (v128.or
            (v128.bitselect
              (local.get $mean)
              (f32x4.add (local.get $near) (f32x4.mul (local.get $share) (f32x4.sub (local.get $mean) (local.get $near))))
              (f32x4.ge (local.get $share) (local.get $onef)))
            (v128.or
              (v128.and (local.get $tied) (f32x4.lt (local.get $share) (local.get $onef)))
              (v128.not (f32x4.eq (f32x4.sub (local.get $sumX) (local.get $sumX)) (local.get $zerof))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))
;; CubeWalk.clearOfOthers for four samples whose projection lies beyond spacing / 2: the lanes
;; still vouched for, where along^2 + spacing^2 - worst > CLEAR_MARGIN (header 164, 160, 168).
;; $w0..$w4 are the inward distances (0 for components beyond $dims). Called only for the rare
;; blocks that need it, from both decode loops.
  (func $clearOfOthers (param $w0 v128) (param $w1 v128) (param $w2 v128) (param $w3 v128) (param $w4 v128) (param $w5 v128) (param $along v128) (param $dims i32) (result v128)
    (local $zerof v128) (local $twoSp v128) (local $first v128) (local $second v128) (local $worst v128) (local $sq v128)
    (local.set $zerof (f32x4.splat (f32.const 0)))
    (local.set $twoSp (f32x4.splat (f32.mul (f32.const 2) (f32.load offset=160 (i32.const 0)))))
    ;; CubeWalk.clearOfOthers: the largest and second largest max(0, w_c)^2 (components
    ;; beyond $dims: w = 0 gives 0), then the worst 2 spacing w_a + (the largest of the
    ;; others) over the present axes.
    (local.set $first (local.get $zerof))
    (local.set $second (local.get $zerof))
    (local.set $sq (f32x4.mul (f32x4.pmax (local.get $w0) (local.get $zerof)) (f32x4.pmax (local.get $w0) (local.get $zerof))))
    (local.set $second (f32x4.pmax (local.get $second) (f32x4.pmin (local.get $first) (local.get $sq))))
    (local.set $first (f32x4.pmax (local.get $first) (local.get $sq)))
    (local.set $sq (f32x4.mul (f32x4.pmax (local.get $w1) (local.get $zerof)) (f32x4.pmax (local.get $w1) (local.get $zerof))))
    (local.set $second (f32x4.pmax (local.get $second) (f32x4.pmin (local.get $first) (local.get $sq))))
    (local.set $first (f32x4.pmax (local.get $first) (local.get $sq)))
    (local.set $sq (f32x4.mul (f32x4.pmax (local.get $w2) (local.get $zerof)) (f32x4.pmax (local.get $w2) (local.get $zerof))))
    (local.set $second (f32x4.pmax (local.get $second) (f32x4.pmin (local.get $first) (local.get $sq))))
    (local.set $first (f32x4.pmax (local.get $first) (local.get $sq)))
    (local.set $sq (f32x4.mul (f32x4.pmax (local.get $w3) (local.get $zerof)) (f32x4.pmax (local.get $w3) (local.get $zerof))))
    (local.set $second (f32x4.pmax (local.get $second) (f32x4.pmin (local.get $first) (local.get $sq))))
    (local.set $first (f32x4.pmax (local.get $first) (local.get $sq)))
    (local.set $sq (f32x4.mul (f32x4.pmax (local.get $w4) (local.get $zerof)) (f32x4.pmax (local.get $w4) (local.get $zerof))))
    (local.set $second (f32x4.pmax (local.get $second) (f32x4.pmin (local.get $first) (local.get $sq))))
    (local.set $first (f32x4.pmax (local.get $first) (local.get $sq)))
    (local.set $sq (f32x4.mul (f32x4.pmax (local.get $w5) (local.get $zerof)) (f32x4.pmax (local.get $w5) (local.get $zerof))))
    (local.set $second (f32x4.pmax (local.get $second) (f32x4.pmin (local.get $first) (local.get $sq))))
    (local.set $first (f32x4.pmax (local.get $first) (local.get $sq)))
    (local.set $worst (f32x4.pmax (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w0)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w0) (local.get $zerof)) (f32x4.pmax (local.get $w0) (local.get $zerof))) (local.get $first)))) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w1)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w1) (local.get $zerof)) (f32x4.pmax (local.get $w1) (local.get $zerof))) (local.get $first))))))
    (local.set $worst (f32x4.pmax (local.get $worst) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w2)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w2) (local.get $zerof)) (f32x4.pmax (local.get $w2) (local.get $zerof))) (local.get $first))))))
    (if (i32.ge_u (local.get $dims) (i32.const 4))
      (then (local.set $worst (f32x4.pmax (local.get $worst) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w3)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w3) (local.get $zerof)) (f32x4.pmax (local.get $w3) (local.get $zerof))) (local.get $first))))))))
    (if (i32.ge_u (local.get $dims) (i32.const 5))
      (then (local.set $worst (f32x4.pmax (local.get $worst) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w4)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w4) (local.get $zerof)) (f32x4.pmax (local.get $w4) (local.get $zerof))) (local.get $first))))))))
    (if (i32.eq (local.get $dims) (i32.const 6))
      (then (local.set $worst (f32x4.pmax (local.get $worst) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w5)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w5) (local.get $zerof)) (f32x4.pmax (local.get $w5) (local.get $zerof))) (local.get $first))))))))
    (f32x4.gt
      (f32x4.sub (f32x4.add (f32x4.mul (local.get $along) (local.get $along)) (f32x4.splat (f32.load offset=164 (i32.const 0)))) (local.get $worst))
      (f32x4.splat (f32.load offset=168 (i32.const 0)))))
;; clearOfOthers for decode8's group of four samples at scratch byte $g4 (0, 4, 8 or 12): their
;; inward distances C - m s from each component's m (components beyond $dims: 0).
  (func $clearOfOthers8 (param $g4 i32) (param $dims i32) (param $C v128) (param $s v128) (param $along v128) (result v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $w5 v128)
    (local.set $w0 (f32x4.sub (local.get $C) (f32x4.mul (local.get $s) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=320 (local.get $g4))))))))
    (local.set $w1 (f32x4.sub (local.get $C) (f32x4.mul (local.get $s) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=336 (local.get $g4))))))))
    (local.set $w2 (f32x4.sub (local.get $C) (f32x4.mul (local.get $s) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=352 (local.get $g4))))))))
    (if (i32.ge_u (local.get $dims) (i32.const 4))
      (then (local.set $w3 (f32x4.sub (local.get $C) (f32x4.mul (local.get $s) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=368 (local.get $g4))))))))))
    (if (i32.ge_u (local.get $dims) (i32.const 5))
      (then (local.set $w4 (f32x4.sub (local.get $C) (f32x4.mul (local.get $s) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=384 (local.get $g4))))))))))
    (if (i32.eq (local.get $dims) (i32.const 6))
      (then (local.set $w5 (f32x4.sub (local.get $C) (f32x4.mul (local.get $s) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero offset=3584 (local.get $g4))))))))))
    (call $clearOfOthers (local.get $w0) (local.get $w1) (local.get $w2) (local.get $w3) (local.get $w4) (local.get $w5) (local.get $along) (local.get $dims)))
)
