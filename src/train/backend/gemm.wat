;; Single-precision matrix product C (+)= A B in WebAssembly SIMD, on the tfjs wasm backend's heap,
;; with no packing of either operand. XNNPACK's fully-connected and convolution operators, which
;; tfjs uses, first repack their right factor or filter (~9 ns per element here): that costs as
;; much as the product itself when the factor is new on every call, as dy and the flipped filters
;; of a backward pass are.
;;
;; A may be a sum of shifted copies: for tap (i, j) of a kh x kw grid, A_tap starts i * rs + j * cs
;; bytes after A, and B_tap is the next k rows of B. That is a stride-1 convolution over a
;; zero-padded frame (shifted-conv.ts) without gathering patches; kh = kw = 1 is a plain product.
;;
;; Row-major operands, leading dimensions in elements, addresses as byte offsets. Register tiles of
;; 4 rows x 8 columns, then 4-column and 1-row tiles, then scalar columns; each column strip of B
;; is taken by all row blocks in turn, so it stays in cache while k rows of it fit there. Generated longhand (the
;; tiles differ only in their sizes); compiled to gemm.wasm.ts by npm run build:wasm.
(module
  (import "tfjs" "memory" (memory 1))

  ;; C[0..4, 0..8) (+)= the sum over taps of A_tap[0..4, 0..k) B_tap[0..k, 0..8).
  (func $tile4x8 (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $k i32) (param $acc i32) (param $kh i32) (param $kw i32) (param $rs i32) (param $cs i32)
    (local $i i32) (local $j i32) (local $end i32) (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $s v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (loop $tap_rows
      (local.set $j (i32.const 0))
      (loop $tap_cols
        (local.set $a0 (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (local.get $rs)) (i32.mul (local.get $j) (local.get $cs)))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $lda)))
        (local.set $a2 (i32.add (local.get $a1) (local.get $lda)))
        (local.set $a3 (i32.add (local.get $a2) (local.get $lda)))
        (local.set $end (i32.add (local.get $a0) (i32.shl (local.get $k) (i32.const 2))))
        (block $done
          (loop $inner
            (br_if $done (i32.ge_u (local.get $a0) (local.get $end)))
            (local.set $b0 (v128.load offset=0 (local.get $b)))
            (local.set $b1 (v128.load offset=16 (local.get $b)))
            (local.set $s (v128.load32_splat (local.get $a0)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (local.get $a1)))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (local.get $a2)))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (local.get $a3)))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
            (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
            (local.set $a2 (i32.add (local.get $a2) (i32.const 4)))
            (local.set $a3 (i32.add (local.get $a3) (i32.const 4)))
            (local.set $b (i32.add (local.get $b) (local.get $ldb)))
            (br $inner)))
        (br_if $tap_cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
      (br_if $tap_rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
    (if (local.get $acc) (then (local.set $c00 (f32x4.add (local.get $c00) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c00))
    (if (local.get $acc) (then (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $c))))))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $acc) (then (local.set $c10 (f32x4.add (local.get $c10) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c10))
    (if (local.get $acc) (then (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $c))))))
    (v128.store offset=16 (local.get $c) (local.get $c11))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $acc) (then (local.set $c20 (f32x4.add (local.get $c20) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c20))
    (if (local.get $acc) (then (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $c))))))
    (v128.store offset=16 (local.get $c) (local.get $c21))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $acc) (then (local.set $c30 (f32x4.add (local.get $c30) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c30))
    (if (local.get $acc) (then (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $c))))))
    (v128.store offset=16 (local.get $c) (local.get $c31))
  )

  ;; C[0..4, 0..4) (+)= the sum over taps of A_tap[0..4, 0..k) B_tap[0..k, 0..4).
  (func $tile4x4 (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $k i32) (param $acc i32) (param $kh i32) (param $kw i32) (param $rs i32) (param $cs i32)
    (local $i i32) (local $j i32) (local $end i32) (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $s v128) (local $b0 v128)
    (local $c00 v128) (local $c10 v128) (local $c20 v128) (local $c30 v128)
    (loop $tap_rows
      (local.set $j (i32.const 0))
      (loop $tap_cols
        (local.set $a0 (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (local.get $rs)) (i32.mul (local.get $j) (local.get $cs)))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $lda)))
        (local.set $a2 (i32.add (local.get $a1) (local.get $lda)))
        (local.set $a3 (i32.add (local.get $a2) (local.get $lda)))
        (local.set $end (i32.add (local.get $a0) (i32.shl (local.get $k) (i32.const 2))))
        (block $done
          (loop $inner
            (br_if $done (i32.ge_u (local.get $a0) (local.get $end)))
            (local.set $b0 (v128.load offset=0 (local.get $b)))
            (local.set $s (v128.load32_splat (local.get $a0)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $s (v128.load32_splat (local.get $a1)))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $s (v128.load32_splat (local.get $a2)))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $s (v128.load32_splat (local.get $a3)))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
            (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
            (local.set $a2 (i32.add (local.get $a2) (i32.const 4)))
            (local.set $a3 (i32.add (local.get $a3) (i32.const 4)))
            (local.set $b (i32.add (local.get $b) (local.get $ldb)))
            (br $inner)))
        (br_if $tap_cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
      (br_if $tap_rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
    (if (local.get $acc) (then (local.set $c00 (f32x4.add (local.get $c00) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c00))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $acc) (then (local.set $c10 (f32x4.add (local.get $c10) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c10))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $acc) (then (local.set $c20 (f32x4.add (local.get $c20) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c20))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $acc) (then (local.set $c30 (f32x4.add (local.get $c30) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c30))
  )

  ;; C[0..1, 0..8) (+)= the sum over taps of A_tap[0..1, 0..k) B_tap[0..k, 0..8).
  (func $tile1x8 (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $k i32) (param $acc i32) (param $kh i32) (param $kw i32) (param $rs i32) (param $cs i32)
    (local $i i32) (local $j i32) (local $end i32) (local $a0 i32) (local $s v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128)
    (loop $tap_rows
      (local.set $j (i32.const 0))
      (loop $tap_cols
        (local.set $a0 (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (local.get $rs)) (i32.mul (local.get $j) (local.get $cs)))))
        (local.set $end (i32.add (local.get $a0) (i32.shl (local.get $k) (i32.const 2))))
        (block $done
          (loop $inner
            (br_if $done (i32.ge_u (local.get $a0) (local.get $end)))
            (local.set $b0 (v128.load offset=0 (local.get $b)))
            (local.set $b1 (v128.load offset=16 (local.get $b)))
            (local.set $s (v128.load32_splat (local.get $a0)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
            (local.set $b (i32.add (local.get $b) (local.get $ldb)))
            (br $inner)))
        (br_if $tap_cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
      (br_if $tap_rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
    (if (local.get $acc) (then (local.set $c00 (f32x4.add (local.get $c00) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c00))
    (if (local.get $acc) (then (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $c))))))
    (v128.store offset=16 (local.get $c) (local.get $c01))
  )

  ;; C[0..1, 0..4) (+)= the sum over taps of A_tap[0..1, 0..k) B_tap[0..k, 0..4).
  (func $tile1x4 (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $k i32) (param $acc i32) (param $kh i32) (param $kw i32) (param $rs i32) (param $cs i32)
    (local $i i32) (local $j i32) (local $end i32) (local $a0 i32) (local $s v128) (local $b0 v128)
    (local $c00 v128)
    (loop $tap_rows
      (local.set $j (i32.const 0))
      (loop $tap_cols
        (local.set $a0 (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (local.get $rs)) (i32.mul (local.get $j) (local.get $cs)))))
        (local.set $end (i32.add (local.get $a0) (i32.shl (local.get $k) (i32.const 2))))
        (block $done
          (loop $inner
            (br_if $done (i32.ge_u (local.get $a0) (local.get $end)))
            (local.set $b0 (v128.load offset=0 (local.get $b)))
            (local.set $s (v128.load32_splat (local.get $a0)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
            (local.set $b (i32.add (local.get $b) (local.get $ldb)))
            (br $inner)))
        (br_if $tap_cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
      (br_if $tap_rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
    (if (local.get $acc) (then (local.set $c00 (f32x4.add (local.get $c00) (v128.load offset=0 (local.get $c))))))
    (v128.store offset=0 (local.get $c) (local.get $c00))
  )

  ;; The sum over taps and p < k of A_tap[p] B_tap[p * ldb] (ldb in bytes): one output element.
  (func $dot (param $a i32) (param $b i32) (param $ldb i32) (param $k i32) (param $kh i32) (param $kw i32) (param $rs i32) (param $cs i32) (result f32)
    (local $i i32) (local $j i32) (local $p i32) (local $end i32) (local $s f32)
    (loop $tap_rows
      (local.set $j (i32.const 0))
      (loop $tap_cols
        (local.set $p (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (local.get $rs)) (i32.mul (local.get $j) (local.get $cs)))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 2))))
        (block $done
          (loop $inner
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $p)) (f32.load (local.get $b)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $b (i32.add (local.get $b) (local.get $ldb)))
            (br $inner)))
        (br_if $tap_cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
      (br_if $tap_rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
    (local.get $s))

  ;; C[m, n] (+)= sum over the kh x kw taps of A_tap[m, k] B_tap[k, n] ($acc nonzero: add to C).
  ;; lda, ldb, ldc in elements; rs, cs (the tap shifts of A) in bytes.
  (func (export "gemm")
    (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (param $m i32) (param $n i32) (param $k i32) (param $acc i32)
    (param $kh i32) (param $kw i32) (param $rs i32) (param $cs i32)
    (local $i i32) (local $j i32) (local $at i32) (local $v f32)
    (local.set $lda (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (block $wide_done
      (loop $wide
        (br_if $wide_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (local.set $i (i32.const 0))
        (block $rows4_done
          (loop $rows4
            (br_if $rows4_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
            (call $tile4x8 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))) (local.get $lda) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb)
                (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $k) (local.get $acc)
                (local.get $kh) (local.get $kw) (local.get $rs) (local.get $cs))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows4)))
        (block $rows1_done
          (loop $rows1
            (br_if $rows1_done (i32.ge_u (local.get $i) (local.get $m)))
            (call $tile1x8 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))) (local.get $lda) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb)
                (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $k) (local.get $acc)
                (local.get $kh) (local.get $kw) (local.get $rs) (local.get $cs))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows1)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $wide)))
    (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n))
      (then
        (local.set $i (i32.const 0))
        (block $rows4_done
          (loop $rows4
            (br_if $rows4_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
            (call $tile4x4 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))) (local.get $lda) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb)
                (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $k) (local.get $acc)
                (local.get $kh) (local.get $kw) (local.get $rs) (local.get $cs))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows4)))
        (block $rows1_done
          (loop $rows1
            (br_if $rows1_done (i32.ge_u (local.get $i) (local.get $m)))
            (call $tile1x4 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))) (local.get $lda) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb)
                (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $k) (local.get $acc)
                (local.get $kh) (local.get $kw) (local.get $rs) (local.get $cs))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows1)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    (block $cols_done
      (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $i (i32.const 0))
        (block $col_done
          (loop $col
            (br_if $col_done (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $v (call $dot (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda)))
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb) (local.get $k)
              (local.get $kh) (local.get $kw) (local.get $rs) (local.get $cs)))
            (local.set $at (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))))
            (if (local.get $acc) (then (local.set $v (f32.add (local.get $v) (f32.load (local.get $at))))))
            (f32.store (local.get $at) (local.get $v))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $col)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols)))))
