;; The cube-walk decoder of quantized-decoder.ts and HilbertCurve.decode (order-1 curves in 3 to 5
;; dims; 8- or 16-bit codes or float32 points) in WebAssembly SIMD, four samples per step and no
;; branch per sample: each component's codes are dequantized (floats read as they are), thresholded at 1/2 into a corner bit, and turned into the inward distance from
;; that corner; byte swizzles look up the corner's vertex and its two segments' axes (32-entry
;; tables, two 16-byte halves each); selects pick those axes' inward distances; the nearer segment's projection gives q,
;; or with a corner blend (header byte 156) the mix of both projections that CubeWalk.decode makes.
;; A sample farther than spacing / 2 from that projection, and not clearly nearer it than every
;; other segment (CubeWalk.clearOfOthers), gets NaN, and its index goes to a list
;; at $list (i32 each; decode returns how many): the caller decodes those exactly without
;; scanning the whole output for NaN.
;;
;; Memory: a 176-byte header at 0 (written by wasm-cube-walk.ts):
;;   0 vertex of each corner (32 x i8), 32 axis of the segment before each vertex, 64 after
;;   (an absent segment's axis is 5, a lane that always reads -1),
;;   96 scale per component (5 x f32), 116 zero point per component (5 x f32),
;;   136 margin, 140 1 - margin, 144 1 / spacing, 148 (spacing / 2)^2, 152 outputScale / segments,
;;   156 1 / (2 blend) for CubeWalk.decode's corner blend, 0 for the nearest point,
;;   160 spacing, 164 spacing^2 (CubeWalk.clearOfOthers).
;; Then the input ($dims planes of $n samples: u8 codes for $kind 0, f32 values for 1, u16 codes
;; for 2), the output ($n f32) and the list ($n i32 at most).
;; $n a multiple of 4.
;; Compiled to cube-walk.wasm.ts by `npm run build:wasm`.
(module
  (memory (export "memory") 1)
  (func (export "decode") (param $codes i32) (param $n i32) (param $dims i32) (param $out i32) (param $list i32) (param $kind i32) (result i32)
    (local $i i32) (local $count i32) (local $at i32) (local $isFloat i32) (local $isWide i32) (local $beyond v128) (local $x v128) (local $above v128) (local $lo v128) (local $hi v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $sixteen v128)
    (local $corner v128) (local $far2 v128) (local $k v128) (local $before v128) (local $after v128)
    (local $along v128) (local $t v128) (local $q v128) (local $high v128) (local $axis v128)
    (local $vertexTable v128) (local $beforeTable v128) (local $afterTable v128) (local $minus1 v128)
    (local $vertexTable2 v128) (local $beforeTable2 v128) (local $afterTable2 v128) (local $four v128)
    (local $zero v128) (local $one v128) (local $two v128) (local $three v128)
    (local $a v128) (local $b v128) (local $ta v128) (local $tb v128) (local $sum v128) (local $w v128)
    (local $blend v128) (local $blendOn v128)
    (local $first v128) (local $second v128) (local $worst v128) (local $sp2 v128) (local $sq v128) (local $twoSp v128) (local $zerof v128)
    ;; Lane bytes 1-3 are 0x80 so that a swizzle writes 0 there: each i32 lane reads one table byte.
    ;; The input's kind is the same for a whole call: its branches are always predicted.
    (local.set $isFloat (i32.eq (local.get $kind) (i32.const 1)))
    (local.set $isWide (i32.eq (local.get $kind) (i32.const 2)))
    (local.set $high (i32x4.splat (i32.const 0x80808000)))
    (local.set $vertexTable (v128.load (i32.const 0)))
    (local.set $vertexTable2 (v128.load (i32.const 16)))
    (local.set $beforeTable (v128.load (i32.const 32)))
    (local.set $beforeTable2 (v128.load (i32.const 48)))
    (local.set $afterTable (v128.load (i32.const 64)))
    (local.set $afterTable2 (v128.load (i32.const 80)))
    (local.set $sixteen (i32x4.splat (i32.const 16)))
    (local.set $minus1 (f32x4.splat (f32.const -1)))
    (local.set $one (i32x4.splat (i32.const 1)))
    (local.set $two (i32x4.splat (i32.const 2)))
    (local.set $three (i32x4.splat (i32.const 3)))
    (local.set $four (i32x4.splat (i32.const 4)))
    (local.set $lo (f32x4.splat (f32.load offset=136 (i32.const 0))))
    (local.set $hi (f32x4.splat (f32.load offset=140 (i32.const 0))))
    (local.set $blend (f32x4.splat (f32.load offset=156 (i32.const 0))))
    (local.set $blendOn (f32x4.gt (local.get $blend) (f32x4.splat (f32.const 0))))
    (local.set $sp2 (f32x4.splat (f32.load offset=164 (i32.const 0))))
    (local.set $twoSp (f32x4.splat (f32.mul (f32.const 2) (f32.load offset=160 (i32.const 0)))))
    (local.set $zerof (f32x4.splat (f32.const 0)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $corner (v128.const i32x4 0 0 0 0))
        (local.set $far2 (f32x4.splat (f32.const 0)))
        (local.set $w3 (f32x4.splat (f32.const -1)))
        (local.set $w4 (f32x4.splat (f32.const -1)))
        ;; component 0: x, its corner bit (1), its inward distance
        (local.set $at (i32.add (i32.mul (i32.const 0) (local.get $n)) (local.get $i)))
          (local.set $x
            (if (result v128) (local.get $isFloat)
              (then (v128.load (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 2)))))
              (else
                (f32x4.mul
                  (f32x4.sub
                    (f32x4.convert_i32x4_s
                      (if (result v128) (local.get $isWide)
                        (then (i32x4.extend_low_i16x8_u (v128.load64_zero (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 1))))))
                        (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $codes) (local.get $at))))))))
                    (f32x4.splat (f32.load offset=116 (i32.const 0))))
                  (f32x4.splat (f32.load offset=96 (i32.const 0)))))))
        (local.set $above (f32x4.gt (local.get $x) (f32x4.splat (f32.const 0.5))))
        (local.set $corner (v128.or (local.get $corner) (v128.and (local.get $above) (i32x4.splat (i32.const 1)))))
        (local.set $w0 (v128.bitselect (f32x4.sub (local.get $hi) (local.get $x)) (f32x4.sub (local.get $x) (local.get $lo)) (local.get $above)))
        (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w0) (local.get $w0))))
        ;; component 1: x, its corner bit (2), its inward distance
        (local.set $at (i32.add (i32.mul (i32.const 1) (local.get $n)) (local.get $i)))
          (local.set $x
            (if (result v128) (local.get $isFloat)
              (then (v128.load (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 2)))))
              (else
                (f32x4.mul
                  (f32x4.sub
                    (f32x4.convert_i32x4_s
                      (if (result v128) (local.get $isWide)
                        (then (i32x4.extend_low_i16x8_u (v128.load64_zero (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 1))))))
                        (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $codes) (local.get $at))))))))
                    (f32x4.splat (f32.load offset=120 (i32.const 0))))
                  (f32x4.splat (f32.load offset=100 (i32.const 0)))))))
        (local.set $above (f32x4.gt (local.get $x) (f32x4.splat (f32.const 0.5))))
        (local.set $corner (v128.or (local.get $corner) (v128.and (local.get $above) (i32x4.splat (i32.const 2)))))
        (local.set $w1 (v128.bitselect (f32x4.sub (local.get $hi) (local.get $x)) (f32x4.sub (local.get $x) (local.get $lo)) (local.get $above)))
        (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w1) (local.get $w1))))
        ;; component 2: x, its corner bit (4), its inward distance
        (local.set $at (i32.add (i32.mul (i32.const 2) (local.get $n)) (local.get $i)))
          (local.set $x
            (if (result v128) (local.get $isFloat)
              (then (v128.load (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 2)))))
              (else
                (f32x4.mul
                  (f32x4.sub
                    (f32x4.convert_i32x4_s
                      (if (result v128) (local.get $isWide)
                        (then (i32x4.extend_low_i16x8_u (v128.load64_zero (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 1))))))
                        (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $codes) (local.get $at))))))))
                    (f32x4.splat (f32.load offset=124 (i32.const 0))))
                  (f32x4.splat (f32.load offset=104 (i32.const 0)))))))
        (local.set $above (f32x4.gt (local.get $x) (f32x4.splat (f32.const 0.5))))
        (local.set $corner (v128.or (local.get $corner) (v128.and (local.get $above) (i32x4.splat (i32.const 4)))))
        (local.set $w2 (v128.bitselect (f32x4.sub (local.get $hi) (local.get $x)) (f32x4.sub (local.get $x) (local.get $lo)) (local.get $above)))
        (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w2) (local.get $w2))))
        (if (i32.ge_u (local.get $dims) (i32.const 4))
          (then
          ;; component 3: x, its corner bit (8), its inward distance
          (local.set $at (i32.add (i32.mul (i32.const 3) (local.get $n)) (local.get $i)))
            (local.set $x
              (if (result v128) (local.get $isFloat)
                (then (v128.load (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 2)))))
                (else
                  (f32x4.mul
                    (f32x4.sub
                      (f32x4.convert_i32x4_s
                        (if (result v128) (local.get $isWide)
                          (then (i32x4.extend_low_i16x8_u (v128.load64_zero (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 1))))))
                          (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $codes) (local.get $at))))))))
                      (f32x4.splat (f32.load offset=128 (i32.const 0))))
                    (f32x4.splat (f32.load offset=108 (i32.const 0)))))))
          (local.set $above (f32x4.gt (local.get $x) (f32x4.splat (f32.const 0.5))))
          (local.set $corner (v128.or (local.get $corner) (v128.and (local.get $above) (i32x4.splat (i32.const 8)))))
          (local.set $w3 (v128.bitselect (f32x4.sub (local.get $hi) (local.get $x)) (f32x4.sub (local.get $x) (local.get $lo)) (local.get $above)))
          (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w3) (local.get $w3))))
          ))
        (if (i32.eq (local.get $dims) (i32.const 5))
          (then
          ;; component 4: x, its corner bit (16), its inward distance
          (local.set $at (i32.add (i32.mul (i32.const 4) (local.get $n)) (local.get $i)))
            (local.set $x
              (if (result v128) (local.get $isFloat)
                (then (v128.load (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 2)))))
                (else
                  (f32x4.mul
                    (f32x4.sub
                      (f32x4.convert_i32x4_s
                        (if (result v128) (local.get $isWide)
                          (then (i32x4.extend_low_i16x8_u (v128.load64_zero (i32.add (local.get $codes) (i32.shl (local.get $at) (i32.const 1))))))
                          (else (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $codes) (local.get $at))))))))
                      (f32x4.splat (f32.load offset=132 (i32.const 0))))
                    (f32x4.splat (f32.load offset=112 (i32.const 0)))))))
          (local.set $above (f32x4.gt (local.get $x) (f32x4.splat (f32.const 0.5))))
          (local.set $corner (v128.or (local.get $corner) (v128.and (local.get $above) (i32x4.splat (i32.const 16)))))
          (local.set $w4 (v128.bitselect (f32x4.sub (local.get $hi) (local.get $x)) (f32x4.sub (local.get $x) (local.get $lo)) (local.get $above)))
          (local.set $far2 (f32x4.add (local.get $far2) (f32x4.mul (local.get $w4) (local.get $w4))))
          ))
        ;; 32-entry tables: the low half's swizzle gives 0 for indices 16-31, the high half's (index - 16)
        ;; for indices 0-15 (their low byte wraps to 240-255); or-ing the two reads either.
        (local.set $k (v128.or
          (i8x16.swizzle (local.get $vertexTable) (v128.or (local.get $corner) (local.get $high)))
          (i8x16.swizzle (local.get $vertexTable2) (v128.or (i32x4.sub (local.get $corner) (local.get $sixteen)) (local.get $high)))))
        ;; The inward distance along the axis of the segment before / after vertex k (axis 5: -1).
        (local.set $axis (v128.or
          (i8x16.swizzle (local.get $beforeTable) (v128.or (local.get $k) (local.get $high)))
          (i8x16.swizzle (local.get $beforeTable2) (v128.or (i32x4.sub (local.get $k) (local.get $sixteen)) (local.get $high)))))
        (local.set $before
          (v128.bitselect (local.get $w0)
            (v128.bitselect (local.get $w1)
              (v128.bitselect (local.get $w2)
                (v128.bitselect (local.get $w3) (v128.bitselect (local.get $w4) (local.get $minus1) (i32x4.eq (local.get $axis) (local.get $four))) (i32x4.eq (local.get $axis) (local.get $three)))
                (i32x4.eq (local.get $axis) (local.get $two)))
              (i32x4.eq (local.get $axis) (local.get $one)))
            (i32x4.eq (local.get $axis) (local.get $zero))))
        (local.set $axis (v128.or
          (i8x16.swizzle (local.get $afterTable) (v128.or (local.get $k) (local.get $high)))
          (i8x16.swizzle (local.get $afterTable2) (v128.or (i32x4.sub (local.get $k) (local.get $sixteen)) (local.get $high)))))
        (local.set $after
          (v128.bitselect (local.get $w0)
            (v128.bitselect (local.get $w1)
              (v128.bitselect (local.get $w2)
                (v128.bitselect (local.get $w3) (v128.bitselect (local.get $w4) (local.get $minus1) (i32x4.eq (local.get $axis) (local.get $four))) (i32x4.eq (local.get $axis) (local.get $three)))
                (i32x4.eq (local.get $axis) (local.get $two)))
              (i32x4.eq (local.get $axis) (local.get $one)))
            (i32x4.eq (local.get $axis) (local.get $zero))))
        (local.set $along (f32x4.pmax (f32x4.pmax (local.get $before) (local.get $after)) (f32x4.splat (f32.const 0))))
        (local.set $t (f32x4.pmin (f32x4.mul (local.get $along) (f32x4.splat (f32.load offset=144 (i32.const 0)))) (f32x4.splat (f32.const 1))))
        ;; The corner blend (CubeWalk.decode): ta - w (ta + tb), w = clamp(1/2 + r / (2 blend), 0, 1),
        ;; r = (b - a) / (b + a) over the inward distances clamped at 0 (r = 0 where both are 0).
        (local.set $b (f32x4.pmax (local.get $before) (f32x4.splat (f32.const 0))))
        (local.set $a (f32x4.pmax (local.get $after) (f32x4.splat (f32.const 0))))
        (local.set $tb (f32x4.pmin (f32x4.mul (local.get $b) (f32x4.splat (f32.load offset=144 (i32.const 0)))) (f32x4.splat (f32.const 1))))
        (local.set $ta (f32x4.pmin (f32x4.mul (local.get $a) (f32x4.splat (f32.load offset=144 (i32.const 0)))) (f32x4.splat (f32.const 1))))
        (local.set $sum (f32x4.add (local.get $b) (local.get $a)))
        (local.set $w
          (f32x4.pmin
            (f32x4.pmax
              (f32x4.add (f32x4.splat (f32.const 0.5))
                (f32x4.mul (local.get $blend)
                  (v128.and (f32x4.div (f32x4.sub (local.get $b) (local.get $a)) (local.get $sum))
                    (f32x4.gt (local.get $sum) (f32x4.splat (f32.const 0))))))
              (f32x4.splat (f32.const 0)))
            (f32x4.splat (f32.const 1))))
        ;; q = k + t towards the next vertex when after > before, else k - t (ties to the lower segment,
        ;; as in the exact search), or the blend's signed t; in output units.
        (local.set $q
          (f32x4.mul
            (f32x4.add (f32x4.convert_i32x4_s (local.get $k))
              (v128.bitselect
                (f32x4.sub (local.get $ta) (f32x4.mul (local.get $w) (f32x4.add (local.get $ta) (local.get $tb))))
                (v128.bitselect (local.get $t) (f32x4.neg (local.get $t)) (f32x4.gt (local.get $after) (local.get $before)))
                (local.get $blendOn)))
            (f32x4.splat (f32.load offset=152 (i32.const 0)))))
        ;; Beyond the exactness bound: NaN, and the index on the list for the caller's exact decode.
        ;; Vouched for: within spacing / 2 of the projection, or (tested only in the rare blocks
        ;; where some sample is not) clear of every other segment: along^2 + spacing^2 - worst >
        ;; CLEAR_MARGIN, 1e-5, as CubeWalk.clearOfOthers in cube-walk.ts.
        ;; A non-finite component (float input only) makes far2 NaN or infinite: listed too, for the
        ;; caller to reject.
        (local.set $beyond
          (f32x4.gt
            (f32x4.sub (local.get $far2) (f32x4.mul (local.get $along) (local.get $along)))
            (f32x4.splat (f32.load offset=148 (i32.const 0)))))
        (if (v128.any_true (local.get $beyond))
          (then
            ;; CubeWalk.clearOfOthers: the largest and second largest max(0, w_c)^2 (absent axes: w = -1
            ;; gives 0), then the worst 2 spacing w_a + (the largest of the others) over the present axes.
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
            (local.set $worst (f32x4.pmax (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w0)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w0) (local.get $zerof)) (f32x4.pmax (local.get $w0) (local.get $zerof))) (local.get $first)))) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w1)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w1) (local.get $zerof)) (f32x4.pmax (local.get $w1) (local.get $zerof))) (local.get $first))))))
            (local.set $worst (f32x4.pmax (local.get $worst) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w2)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w2) (local.get $zerof)) (f32x4.pmax (local.get $w2) (local.get $zerof))) (local.get $first))))))
            (if (i32.ge_u (local.get $dims) (i32.const 4))
              (then (local.set $worst (f32x4.pmax (local.get $worst) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w3)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w3) (local.get $zerof)) (f32x4.pmax (local.get $w3) (local.get $zerof))) (local.get $first))))))))
            (if (i32.eq (local.get $dims) (i32.const 5))
              (then (local.set $worst (f32x4.pmax (local.get $worst) (f32x4.add (f32x4.mul (local.get $twoSp) (local.get $w4)) (v128.bitselect (local.get $second) (local.get $first) (f32x4.eq (f32x4.mul (f32x4.pmax (local.get $w4) (local.get $zerof)) (f32x4.pmax (local.get $w4) (local.get $zerof))) (local.get $first))))))))
            (local.set $beyond
              (v128.andnot (local.get $beyond)
                (f32x4.gt
                  (f32x4.sub (f32x4.add (f32x4.mul (local.get $along) (local.get $along)) (local.get $sp2)) (local.get $worst))
                  (f32x4.splat (f32.const 1e-5)))))))
        (local.set $beyond (v128.or (local.get $beyond) (v128.not (f32x4.lt (local.get $far2) (f32x4.splat (f32.const inf))))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (v128.bitselect (f32x4.splat (f32.const nan)) (local.get $q) (local.get $beyond)))
        ;; Rare (under 1 % of samples on the scenes a model was trained for): a branch per block.
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
)
