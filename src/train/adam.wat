;; The fused Adam update of adam-kernel.ts and the squared gradient norm, in WebAssembly SIMD.
;; Imports the tfjs wasm backend's own memory, so it works in place on tensors' heap bytes with no
;; copies. Addresses are byte offsets of float32 arrays; n counts elements. Compiled to
;; adam.wasm.ts by `npm run build:wasm`.
(module
  (import "tfjs" "memory" (memory 1))

  ;; p' = p - stepSize m' / (sqrt(v') + epsHat), m' = b1 m + c1 g s, v' = b2 v + c2 (g s)^2,
  ;; with s = gradScale, c1 = 1 - b1, c2 = 1 - b2. Four lanes per step, then a scalar tail.
  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32)
    (param $po i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $scale f32) (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $step f32) (param $eps f32)
    (local $i i32) (local $end i32) (local $o i32)
    (local $gi v128) (local $mi v128) (local $vi v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $vectors_done
      (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gi (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $o))) (f32x4.splat (local.get $scale))))
        (local.set $mi (f32x4.add
          (f32x4.mul (f32x4.splat (local.get $b1)) (v128.load (i32.add (local.get $m) (local.get $o))))
          (f32x4.mul (f32x4.splat (local.get $c1)) (local.get $gi))))
        (local.set $vi (f32x4.add
          (f32x4.mul (f32x4.splat (local.get $b2)) (v128.load (i32.add (local.get $v) (local.get $o))))
          (f32x4.mul (f32x4.mul (f32x4.splat (local.get $c2)) (local.get $gi)) (local.get $gi))))
        (v128.store (i32.add (local.get $mo) (local.get $o)) (local.get $mi))
        (v128.store (i32.add (local.get $vo) (local.get $o)) (local.get $vi))
        (v128.store (i32.add (local.get $po) (local.get $o))
          (f32x4.sub
            (v128.load (i32.add (local.get $p) (local.get $o)))
            (f32x4.div
              (f32x4.mul (f32x4.splat (local.get $step)) (local.get $mi))
              (f32x4.add (f32x4.sqrt (local.get $vi)) (f32x4.splat (local.get $eps))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.mul (f32.load (i32.add (local.get $g) (local.get $o))) (local.get $scale)))
        (local.set $ms (f32.add
          (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $o))))
          (f32.mul (local.get $c1) (local.get $gs))))
        (local.set $vs (f32.add
          (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $o))))
          (f32.mul (f32.mul (local.get $c2) (local.get $gs)) (local.get $gs))))
        (f32.store (i32.add (local.get $mo) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $vo) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $po) (local.get $o))
          (f32.sub
            (f32.load (i32.add (local.get $p) (local.get $o)))
            (f32.div
              (f32.mul (local.get $step) (local.get $ms))
              (f32.add (f32.sqrt (local.get $vs)) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; Sum of squares, accumulated in float64 (two f64x2 accumulators per four floats).
  (func (export "sumSquares") (param $g i32) (param $n i32) (result f64)
    (local $i i32) (local $end i32) (local $x v128) (local $lo v128) (local $hi v128)
    (local $acc1 v128) (local $acc2 v128) (local $s f64) (local $t f64)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $vectors_done
      (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $x)))
        (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $lo) (local.get $lo))))
        (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $hi) (local.get $hi))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    (local.set $acc1 (f64x2.add (local.get $acc1) (local.get $acc2)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $t (f64.promote_f32 (f32.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $t) (local.get $t))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $s))
)
