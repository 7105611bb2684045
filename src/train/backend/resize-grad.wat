;; The adjoint of the separable bilinear resize (ResizeBilinearGrad.ts) in WebAssembly SIMD, on the
;; tfjs wasm backend's own heap. For each dy row: spread it over the input columns into $line,
;; then add $line into the two input rows it came from. Channels are innermost (NHWC), four lanes
;; per step with a scalar tail. Addresses are byte offsets; taps are int32 (lo, hi) and float32
;; (frac) arrays per output row and column. Compiled to resize-grad.wasm.ts by npm run build:wasm.
(module
  (import "tfjs" "memory" (memory 1))

  ;; dst[0..n) += w * src[0..n), floats.
  (func $axpy (param $dst i32) (param $src i32) (param $n i32) (param $w f32)
    (local $i i32) (local $end i32) (local $o i32)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $vectors_done
      (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $dst) (local.get $o))
          (f32x4.add
            (v128.load (i32.add (local.get $dst) (local.get $o)))
            (f32x4.mul (v128.load (i32.add (local.get $src) (local.get $o))) (f32x4.splat (local.get $w)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $dst) (local.get $o))
          (f32.add
            (f32.load (i32.add (local.get $dst) (local.get $o)))
            (f32.mul (f32.load (i32.add (local.get $src) (local.get $o))) (local.get $w))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; dx must be zeroed and $line hold width * depth floats.
  (func (export "spread")
    (param $dy i32) (param $dx i32) (param $line i32)
    (param $batch i32) (param $height i32) (param $width i32) (param $depth i32)
    (param $outH i32) (param $outW i32)
    (param $rowLo i32) (param $rowHi i32) (param $rowFrac i32)
    (param $colLo i32) (param $colHi i32) (param $colFrac i32)
    (local $n i32) (local $r i32) (local $c i32) (local $row i32) (local $from i32)
    (local $w1 f32) (local $k i32)
    (local.set $row (i32.mul (local.get $width) (local.get $depth)))
    (block $batch_done
      (loop $batch_loop
        (br_if $batch_done (i32.ge_u (local.get $n) (local.get $batch)))
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $outH)))
            (memory.fill (local.get $line) (i32.const 0) (i32.shl (local.get $row) (i32.const 2)))
            ;; Byte offset of dy row (n, r).
            (local.set $from (i32.add (local.get $dy)
              (i32.shl (i32.mul (i32.mul (i32.add (i32.mul (local.get $n) (local.get $outH)) (local.get $r)) (local.get $outW)) (local.get $depth)) (i32.const 2))))
            (local.set $c (i32.const 0))
            (block $cols_done
              (loop $cols
                (br_if $cols_done (i32.ge_u (local.get $c) (local.get $outW)))
                (local.set $k (i32.shl (local.get $c) (i32.const 2)))
                (local.set $w1 (f32.load (i32.add (local.get $colFrac) (local.get $k))))
                (call $axpy
                  (i32.add (local.get $line) (i32.shl (i32.mul (i32.load (i32.add (local.get $colLo) (local.get $k))) (local.get $depth)) (i32.const 2)))
                  (local.get $from) (local.get $depth) (f32.sub (f32.const 1) (local.get $w1)))
                (call $axpy
                  (i32.add (local.get $line) (i32.shl (i32.mul (i32.load (i32.add (local.get $colHi) (local.get $k))) (local.get $depth)) (i32.const 2)))
                  (local.get $from) (local.get $depth) (local.get $w1))
                (local.set $from (i32.add (local.get $from) (i32.shl (local.get $depth) (i32.const 2))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $cols)))
            (local.set $k (i32.shl (local.get $r) (i32.const 2)))
            (local.set $w1 (f32.load (i32.add (local.get $rowFrac) (local.get $k))))
            (call $axpy
              (i32.add (local.get $dx) (i32.shl (i32.mul (i32.add (i32.mul (local.get $n) (local.get $height)) (i32.load (i32.add (local.get $rowLo) (local.get $k)))) (local.get $row)) (i32.const 2)))
              (local.get $line) (local.get $row) (f32.sub (f32.const 1) (local.get $w1)))
            (call $axpy
              (i32.add (local.get $dx) (i32.shl (i32.mul (i32.add (i32.mul (local.get $n) (local.get $height)) (i32.load (i32.add (local.get $rowHi) (local.get $k)))) (local.get $row)) (i32.const 2)))
              (local.get $line) (local.get $row) (local.get $w1))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $batch_loop)))
  )
)
