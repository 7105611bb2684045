;; The gradient of the matching cost (tfjs-matching-cost.ts) in WebAssembly SIMD, on the tfjs wasm
;; backend's own heap. For every pixel x of every row and every displacement d, with
;; g = dy[x, d] * scale (scale = 2/C for ssd, 1/C for dot) and r(x - d) = 0 left of the image:
;;   ssd: v = l(x) - r(x - d);  dl(x) += g v;  dr(x - d) -= g v
;;   dot: dl(x) += g r(x - d);  dr(x - d) += g l(x)
;; Channels are innermost (NHWC), four lanes per step with a scalar tail. Addresses are byte
;; offsets; dl and dr are zeroed here. Compiled to matching-cost-grad.wasm.ts by npm run build:wasm.
(module
  (import "tfjs" "memory" (memory 1))

  ;; Both pixels inside the image.
  (func $pair (param $dl i32) (param $dr i32) (param $l i32) (param $r i32) (param $n i32) (param $g f32) (param $dot i32)
    (local $i i32) (local $end i32) (local $o i32) (local $gv v128) (local $a v128) (local $b v128) (local $v v128)
    (local $as f32) (local $bs f32) (local $vs f32)
    (local.set $gv (f32x4.splat (local.get $g)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $vectors_done
      (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $a (v128.load (i32.add (local.get $l) (local.get $o))))
        (local.set $b (v128.load (i32.add (local.get $r) (local.get $o))))
        (if (local.get $dot)
          (then
            (v128.store (i32.add (local.get $dl) (local.get $o))
              (f32x4.add (v128.load (i32.add (local.get $dl) (local.get $o))) (f32x4.mul (local.get $gv) (local.get $b))))
            (v128.store (i32.add (local.get $dr) (local.get $o))
              (f32x4.add (v128.load (i32.add (local.get $dr) (local.get $o))) (f32x4.mul (local.get $gv) (local.get $a)))))
          (else
            (local.set $v (f32x4.mul (local.get $gv) (f32x4.sub (local.get $a) (local.get $b))))
            (v128.store (i32.add (local.get $dl) (local.get $o))
              (f32x4.add (v128.load (i32.add (local.get $dl) (local.get $o))) (local.get $v)))
            (v128.store (i32.add (local.get $dr) (local.get $o))
              (f32x4.sub (v128.load (i32.add (local.get $dr) (local.get $o))) (local.get $v)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $as (f32.load (i32.add (local.get $l) (local.get $o))))
        (local.set $bs (f32.load (i32.add (local.get $r) (local.get $o))))
        (if (local.get $dot)
          (then
            (f32.store (i32.add (local.get $dl) (local.get $o))
              (f32.add (f32.load (i32.add (local.get $dl) (local.get $o))) (f32.mul (local.get $g) (local.get $bs))))
            (f32.store (i32.add (local.get $dr) (local.get $o))
              (f32.add (f32.load (i32.add (local.get $dr) (local.get $o))) (f32.mul (local.get $g) (local.get $as)))))
          (else
            (local.set $vs (f32.mul (local.get $g) (f32.sub (local.get $as) (local.get $bs))))
            (f32.store (i32.add (local.get $dl) (local.get $o))
              (f32.add (f32.load (i32.add (local.get $dl) (local.get $o))) (local.get $vs)))
            (f32.store (i32.add (local.get $dr) (local.get $o))
              (f32.sub (f32.load (i32.add (local.get $dr) (local.get $o))) (local.get $vs)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; ssd with r(x - d) left of the image: dl(x) += g l(x).
  (func $leftOnly (param $dl i32) (param $l i32) (param $n i32) (param $g f32)
    (local $i i32) (local $end i32) (local $o i32) (local $gv v128)
    (local.set $gv (f32x4.splat (local.get $g)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $vectors_done
      (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $dl) (local.get $o))
          (f32x4.add (v128.load (i32.add (local.get $dl) (local.get $o)))
            (f32x4.mul (local.get $gv) (v128.load (i32.add (local.get $l) (local.get $o))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $dl) (local.get $o))
          (f32.add (f32.load (i32.add (local.get $dl) (local.get $o)))
            (f32.mul (local.get $g) (f32.load (i32.add (local.get $l) (local.get $o))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; rows = N * H; shifts = maxShift + 1; dot = 1 for 'dot', 0 for 'ssd'.
  (func (export "grad")
    (param $dy i32) (param $l i32) (param $r i32) (param $dl i32) (param $dr i32)
    (param $rows i32) (param $width i32) (param $channels i32) (param $shifts i32) (param $scale f32) (param $dot i32)
    (local $row i32) (local $x i32) (local $d i32) (local $g f32) (local $pixel i32) (local $stride i32)
    (local $at i32) (local $from i32)
    ;; Bytes per pixel.
    (local.set $stride (i32.shl (local.get $channels) (i32.const 2)))
    (memory.fill (local.get $dl) (i32.const 0) (i32.mul (i32.mul (local.get $rows) (local.get $width)) (local.get $stride)))
    (memory.fill (local.get $dr) (i32.const 0) (i32.mul (i32.mul (local.get $rows) (local.get $width)) (local.get $stride)))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $x (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $x) (local.get $width)))
            (local.set $pixel (i32.add (i32.mul (local.get $row) (local.get $width)) (local.get $x)))
            (local.set $at (i32.mul (local.get $pixel) (local.get $stride)))
            (local.set $d (i32.const 0))
            (block $shifts_done
              (loop $shift
                (br_if $shifts_done (i32.ge_u (local.get $d) (local.get $shifts)))
                (local.set $g (f32.mul (local.get $scale)
                  (f32.load (i32.add (local.get $dy) (i32.shl (i32.add (i32.mul (local.get $pixel) (local.get $shifts)) (local.get $d)) (i32.const 2))))))
                (if (i32.ge_s (i32.sub (local.get $x) (local.get $d)) (i32.const 0))
                  (then
                    (local.set $from (i32.sub (local.get $at) (i32.mul (local.get $d) (local.get $stride))))
                    (call $pair
                      (i32.add (local.get $dl) (local.get $at)) (i32.add (local.get $dr) (local.get $from))
                      (i32.add (local.get $l) (local.get $at)) (i32.add (local.get $r) (local.get $from))
                      (local.get $channels) (local.get $g) (local.get $dot)))
                  (else
                    (if (i32.eqz (local.get $dot))
                      (then
                        (call $leftOnly (i32.add (local.get $dl) (local.get $at)) (i32.add (local.get $l) (local.get $at))
                          (local.get $channels) (local.get $g))))))
                (local.set $d (i32.add (local.get $d) (i32.const 1)))
                (br $shift)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $cols)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows_loop)))
  )
)
