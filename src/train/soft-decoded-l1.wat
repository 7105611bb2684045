;; The soft decoded-disparity L1 of a hilbert head's training loss (losses.ts SoftDecodedL1.at)
;; for many pixels: per pixel, the point's squared distance to every segment of the curve, a
;; weight exp(-(d^2 - best) / 2 sigma^2) for the segments within e^-12 of the nearest, the
;; weighted mean |error| in pixels and its gradient. Four segments per SIMD step, in float32
;; (losses.ts keeps the float64 loop as the reference the tests hold this to). Points beyond about
;; 1e19 overflow float32's squared distances and give NaN where float64 stays finite: only a model
;; that has already diverged gets there, and the trainer reports the NaN.
;;
;; Memory (byte offsets from the caller):
;;   $tables: the segment starts S[c][s], then the directions D[c][s], then each lane's segment
;;     index as a float, then PAD[s] (0 for a segment, +inf for the lanes past the last); every
;;     row $groups x 16 bytes (four segments each);
;;   $scratch: the point's components splatted (dims x 16), their gradient sums (dims x 16), then
;;     per segment group R2, TR (the unclamped projection), T (clamped), W and ERR (16 bytes each);
;;   $values: n x dims float32 points (pixel-major), $gt and $valid: n float32 each;
;;   $loss: n float32 out, $grad: n x dims float32 out (0 where valid is 0).
;; Compiled to soft-decoded-l1.wasm.ts by `npm run build:wasm`.
(module
  (memory (export "memory") 1)

  ;; 2^y for y in [-126, 0]: y = k + f, f in [-0.5, 0.5], 2^f by Cephes' exp2f polynomial, 2^k
  ;; put into the exponent bits.
  (func $exp2 (param $y v128) (result v128)
    (local $k v128) (local $f v128) (local $p v128)
    (local.set $k (f32x4.nearest (local.get $y)))
    (local.set $f (f32x4.sub (local.get $y) (local.get $k)))
    (local.set $p (f32x4.splat (f32.const 1.535336188319500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 1.339887440266574e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 9.618437357674640e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 5.550332471162809e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 2.402264791363012e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 6.931472028550421e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 1))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  (func (export "run")
    (param $values i32) (param $gt i32) (param $valid i32) (param $n i32) (param $dims i32) (param $groups i32)
    (param $tables i32) (param $scratch i32) (param $loss i32) (param $grad i32)
    (param $invLen2 f32) (param $inv2s2 f32) (param $perSegment f32) (param $slopeScale f32)
    (local $i i32) (local $c i32) (local $g i32) (local $row i32) (local $dirs i32) (local $idx i32) (local $pad i32)
    (local $gsum i32) (local $r2s i32) (local $trs i32) (local $ts i32) (local $ws i32) (local $errs i32)
    (local $p i32) (local $s i32) (local $o i32)
    (local $pc v128) (local $sc v128) (local $dc v128) (local $dot v128) (local $tr v128) (local $t v128)
    (local $e v128) (local $r2 v128) (local $bestV v128) (local $w v128) (local $err v128) (local $wsumV v128)
    (local $lossV v128) (local $wn v128) (local $coef v128) (local $pull v128) (local $sgn v128) (local $aerr v128)
    (local $best f32) (local $cutoff f32) (local $wsum f32) (local $l f32) (local $twoInv2s2 v128)
    (local.set $row (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $dirs (i32.add (local.get $tables) (i32.mul (local.get $dims) (local.get $row))))
    (local.set $idx (i32.add (local.get $dirs) (i32.mul (local.get $dims) (local.get $row))))
    (local.set $pad (i32.add (local.get $idx) (local.get $row)))
    (local.set $gsum (i32.add (local.get $scratch) (i32.shl (local.get $dims) (i32.const 4))))
    (local.set $r2s (i32.add (local.get $gsum) (i32.shl (local.get $dims) (i32.const 4))))
    (local.set $trs (i32.add (local.get $r2s) (local.get $row)))
    (local.set $ts (i32.add (local.get $trs) (local.get $row)))
    (local.set $ws (i32.add (local.get $ts) (local.get $row)))
    (local.set $errs (i32.add (local.get $ws) (local.get $row)))
    (local.set $twoInv2s2 (f32x4.splat (f32.mul (f32.const 2) (local.get $inv2s2))))
    (block $pixelsDone
      (loop $pixel
        (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $values) (i32.shl (i32.mul (local.get $i) (local.get $dims)) (i32.const 2))))
        (local.set $o (i32.add (local.get $grad) (i32.shl (i32.mul (local.get $i) (local.get $dims)) (i32.const 2))))
        (if (f32.eq (f32.load (i32.add (local.get $valid) (i32.shl (local.get $i) (i32.const 2)))) (f32.const 0))
          (then
            ;; Not a valid pixel: nothing to learn there (losses.ts skips it too).
            (f32.store (i32.add (local.get $loss) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
            (local.set $c (i32.const 0))
            (block $zDone
              (loop $z
                (br_if $zDone (i32.ge_u (local.get $c) (local.get $dims)))
                (f32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (f32.const 0))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $z))))
          (else
            ;; The point's components, splatted; their gradient sums zeroed.
            (local.set $c (i32.const 0))
            (block $sDone
              (loop $splat
                (br_if $sDone (i32.ge_u (local.get $c) (local.get $dims)))
                (v128.store (i32.add (local.get $scratch) (i32.shl (local.get $c) (i32.const 4)))
                  (f32x4.splat (f32.load (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2))))))
                (v128.store (i32.add (local.get $gsum) (i32.shl (local.get $c) (i32.const 4))) (v128.const i32x4 0 0 0 0))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $splat)))
            ;; Pass 1: projection and squared distance to every segment; the nearest's distance.
            (local.set $bestV (f32x4.splat (f32.const inf)))
            (local.set $g (i32.const 0))
            (block $p1Done
              (loop $p1
                (br_if $p1Done (i32.ge_u (local.get $g) (local.get $groups)))
                (local.set $s (i32.shl (local.get $g) (i32.const 4)))
                (local.set $dot (v128.const i32x4 0 0 0 0))
                (local.set $c (i32.const 0))
                (block $dDone
                  (loop $d
                    (br_if $dDone (i32.ge_u (local.get $c) (local.get $dims)))
                    (local.set $pc (v128.load (i32.add (local.get $scratch) (i32.shl (local.get $c) (i32.const 4)))))
                    (local.set $sc (v128.load (i32.add (i32.add (local.get $tables) (i32.mul (local.get $c) (local.get $row))) (local.get $s))))
                    (local.set $dc (v128.load (i32.add (i32.add (local.get $dirs) (i32.mul (local.get $c) (local.get $row))) (local.get $s))))
                    (local.set $dot (f32x4.add (local.get $dot) (f32x4.mul (f32x4.sub (local.get $pc) (local.get $sc)) (local.get $dc))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $d)))
                (local.set $tr (f32x4.mul (local.get $dot) (f32x4.splat (local.get $invLen2))))
                (local.set $t (f32x4.min (f32x4.max (local.get $tr) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1)))
                (local.set $r2 (v128.load (i32.add (local.get $pad) (local.get $s))))
                (local.set $c (i32.const 0))
                (block $rDone
                  (loop $r
                    (br_if $rDone (i32.ge_u (local.get $c) (local.get $dims)))
                    (local.set $pc (v128.load (i32.add (local.get $scratch) (i32.shl (local.get $c) (i32.const 4)))))
                    (local.set $sc (v128.load (i32.add (i32.add (local.get $tables) (i32.mul (local.get $c) (local.get $row))) (local.get $s))))
                    (local.set $dc (v128.load (i32.add (i32.add (local.get $dirs) (i32.mul (local.get $c) (local.get $row))) (local.get $s))))
                    (local.set $e (f32x4.sub (f32x4.sub (local.get $pc) (local.get $sc)) (f32x4.mul (local.get $t) (local.get $dc))))
                    (local.set $r2 (f32x4.add (local.get $r2) (f32x4.mul (local.get $e) (local.get $e))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $r)))
                (v128.store (i32.add (local.get $r2s) (local.get $s)) (local.get $r2))
                (v128.store (i32.add (local.get $trs) (local.get $s)) (local.get $tr))
                (v128.store (i32.add (local.get $ts) (local.get $s)) (local.get $t))
                (local.set $bestV (f32x4.min (local.get $bestV) (local.get $r2)))
                (local.set $g (i32.add (local.get $g) (i32.const 1)))
                (br $p1)))
            (local.set $best
              (f32.min
                (f32.min (f32x4.extract_lane 0 (local.get $bestV)) (f32x4.extract_lane 1 (local.get $bestV)))
                (f32.min (f32x4.extract_lane 2 (local.get $bestV)) (f32x4.extract_lane 3 (local.get $bestV)))))
            (local.set $cutoff (f32.add (local.get $best) (f32.div (f32.const 12) (local.get $inv2s2))))
            ;; Pass 2: the weights of the segments within the cutoff, and each one's error in pixels.
            (local.set $wsumV (v128.const i32x4 0 0 0 0))
            (local.set $lossV (v128.const i32x4 0 0 0 0))
            (local.set $g (i32.const 0))
            (block $p2Done
              (loop $p2
                (br_if $p2Done (i32.ge_u (local.get $g) (local.get $groups)))
                (local.set $s (i32.shl (local.get $g) (i32.const 4)))
                (local.set $r2 (v128.load (i32.add (local.get $r2s) (local.get $s))))
                ;; exp(x) = 2^(x log2 e), x = -(r2 - best) / 2 sigma^2 kept above -87 (float32's range).
                (local.set $w
                  (v128.and
                    (call $exp2
                      (f32x4.mul
                        (f32x4.max
                          (f32x4.mul (f32x4.sub (f32x4.splat (local.get $best)) (local.get $r2)) (f32x4.splat (local.get $inv2s2)))
                          (v128.const f32x4 -87 -87 -87 -87))
                        (v128.const f32x4 1.4426950408889634 1.4426950408889634 1.4426950408889634 1.4426950408889634)))
                    (f32x4.le (local.get $r2) (f32x4.splat (local.get $cutoff)))))
                (local.set $err
                  (f32x4.sub
                    (f32x4.mul
                      (f32x4.add (v128.load (i32.add (local.get $idx) (local.get $s))) (v128.load (i32.add (local.get $ts) (local.get $s))))
                      (f32x4.splat (local.get $perSegment)))
                    (f32x4.splat (f32.load (i32.add (local.get $gt) (i32.shl (local.get $i) (i32.const 2)))))))
                (v128.store (i32.add (local.get $ws) (local.get $s)) (local.get $w))
                (v128.store (i32.add (local.get $errs) (local.get $s)) (local.get $err))
                (local.set $wsumV (f32x4.add (local.get $wsumV) (local.get $w)))
                (local.set $lossV (f32x4.add (local.get $lossV) (f32x4.mul (local.get $w) (f32x4.abs (local.get $err)))))
                (local.set $g (i32.add (local.get $g) (i32.const 1)))
                (br $p2)))
            (local.set $wsum (call $hsum (local.get $wsumV)))
            (local.set $l (f32.div (call $hsum (local.get $lossV)) (local.get $wsum)))
            (f32.store (i32.add (local.get $loss) (i32.shl (local.get $i) (i32.const 2))) (local.get $l))
            ;; Pass 3: the gradient, through each projection (inside its segment) and each weight.
            (local.set $g (i32.const 0))
            (block $p3Done
              (loop $p3
                (br_if $p3Done (i32.ge_u (local.get $g) (local.get $groups)))
                (local.set $s (i32.shl (local.get $g) (i32.const 4)))
                (local.set $wn (f32x4.div (v128.load (i32.add (local.get $ws) (local.get $s))) (f32x4.splat (local.get $wsum))))
                (local.set $err (v128.load (i32.add (local.get $errs) (local.get $s))))
                (local.set $tr (v128.load (i32.add (local.get $trs) (local.get $s))))
                (local.set $t (v128.load (i32.add (local.get $ts) (local.get $s))))
                (local.set $aerr (f32x4.abs (local.get $err)))
                ;; sign(err) (0 at 0), times maxDisp / (segments |u|^2), where the projection is inside.
                (local.set $sgn
                  (f32x4.sub
                    (v128.and (f32x4.gt (local.get $err) (v128.const f32x4 0 0 0 0)) (f32x4.splat (local.get $slopeScale)))
                    (v128.and (f32x4.lt (local.get $err) (v128.const f32x4 0 0 0 0)) (f32x4.splat (local.get $slopeScale)))))
                (local.set $coef
                  (f32x4.mul (local.get $wn)
                    (v128.and (local.get $sgn)
                      (v128.and (f32x4.ge (local.get $tr) (v128.const f32x4 0 0 0 0)) (f32x4.le (local.get $tr) (v128.const f32x4 1 1 1 1))))))
                (local.set $pull (f32x4.mul (f32x4.mul (local.get $wn) (f32x4.sub (local.get $aerr) (f32x4.splat (local.get $l)))) (local.get $twoInv2s2)))
                (local.set $c (i32.const 0))
                (block $gDone
                  (loop $gc
                    (br_if $gDone (i32.ge_u (local.get $c) (local.get $dims)))
                    (local.set $pc (v128.load (i32.add (local.get $scratch) (i32.shl (local.get $c) (i32.const 4)))))
                    (local.set $sc (v128.load (i32.add (i32.add (local.get $tables) (i32.mul (local.get $c) (local.get $row))) (local.get $s))))
                    (local.set $dc (v128.load (i32.add (i32.add (local.get $dirs) (i32.mul (local.get $c) (local.get $row))) (local.get $s))))
                    (v128.store (i32.add (local.get $gsum) (i32.shl (local.get $c) (i32.const 4)))
                      (f32x4.add
                        (v128.load (i32.add (local.get $gsum) (i32.shl (local.get $c) (i32.const 4))))
                        (f32x4.add
                          (f32x4.mul (local.get $coef) (local.get $dc))
                          (f32x4.mul (local.get $pull)
                            (f32x4.sub (f32x4.add (local.get $sc) (f32x4.mul (local.get $t) (local.get $dc))) (local.get $pc))))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $gc)))
                (local.set $g (i32.add (local.get $g) (i32.const 1)))
                (br $p3)))
            (local.set $c (i32.const 0))
            (block $oDone
              (loop $out
                (br_if $oDone (i32.ge_u (local.get $c) (local.get $dims)))
                (f32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2)))
                  (call $hsum (v128.load (i32.add (local.get $gsum) (i32.shl (local.get $c) (i32.const 4))))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $out)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pixel)))))
