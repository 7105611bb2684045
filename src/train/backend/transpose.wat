;; Batched matrix transpose in WebAssembly SIMD on the tfjs wasm backend's heap: dst[b][c][r] =
;; src[b][r][c]. tfjs's builtin Transpose moves one element at a time with strided reads, ~3 ns
;; per element here; this moves 4x4 blocks (four loads, eight shuffles, four stores) and takes
;; the ragged edges element by element. Addresses are byte offsets. Compiled to transpose.wasm.ts
;; by npm run build:wasm.
(module
  (import "tfjs" "memory" (memory 1))

  ;; One [rows, cols] matrix at $src into [cols, rows] at $dst.
  (func $matrix (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $rowBytes i32) (local $colBytes i32) (local $s i32) (local $d i32)
    (local $r4 i32) (local $c4 i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $r4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))
    ;; Whole 4x4 blocks.
    (block $blocks_done
      (loop $block_rows
        (br_if $blocks_done (i32.ge_u (local.get $r) (local.get $r4)))
        (local.set $c (i32.const 0))
        (block $row_done
          (loop $block_cols
            (br_if $row_done (i32.ge_u (local.get $c) (local.get $c4)))
            (local.set $s (i32.add (local.get $src)
              (i32.add (i32.mul (local.get $r) (local.get $rowBytes)) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $x0 (v128.load (local.get $s)))
            (local.set $x1 (v128.load (i32.add (local.get $s) (local.get $rowBytes))))
            (local.set $s (i32.add (local.get $s) (i32.shl (local.get $rowBytes) (i32.const 1))))
            (local.set $x2 (v128.load (local.get $s)))
            (local.set $x3 (v128.load (i32.add (local.get $s) (local.get $rowBytes))))
            ;; (a0 b0 a1 b1) (a2 b2 a3 b3) (c0 d0 c1 d1) (c2 d2 c3 d3)
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x2) (local.get $x3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x2) (local.get $x3)))
            (local.set $d (i32.add (local.get $dst)
              (i32.add (i32.mul (local.get $c) (local.get $colBytes)) (i32.shl (local.get $r) (i32.const 2)))))
            (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $d) (local.get $colBytes))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $colBytes) (i32.const 1))))
            (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store (i32.add (local.get $d) (local.get $colBytes))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $block_cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $block_rows)))
    ;; Right edge (columns c4.. of rows below r4), then bottom edge (rows r4.., all columns).
    (call $scalar (local.get $src) (local.get $dst) (local.get $rowBytes) (local.get $colBytes) (i32.const 0) (local.get $r4) (local.get $c4) (local.get $cols))
    (call $scalar (local.get $src) (local.get $dst) (local.get $rowBytes) (local.get $colBytes) (local.get $r4) (local.get $rows) (i32.const 0) (local.get $cols)))

  ;; Element by element over rows [r0, r1) x columns [c0, c1).
  (func $scalar (param $src i32) (param $dst i32) (param $rowBytes i32) (param $colBytes i32)
    (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (local $r i32) (local $c i32)
    (local.set $r (local.get $r0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $c (local.get $c0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $c) (local.get $c1)))
            (f32.store
              (i32.add (local.get $dst) (i32.add (i32.mul (local.get $c) (local.get $colBytes)) (i32.shl (local.get $r) (i32.const 2))))
              (f32.load (i32.add (local.get $src) (i32.add (i32.mul (local.get $r) (local.get $rowBytes)) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; $batch matrices of [rows, cols], one after another at $src, each to [cols, rows] at $dst.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $batch i32) (param $rows i32) (param $cols i32)
    (local $b i32) (local $bytes i32)
    (local.set $bytes (i32.shl (i32.mul (local.get $rows) (local.get $cols)) (i32.const 2)))
    (block $done
      (loop $matrices
        (br_if $done (i32.ge_u (local.get $b) (local.get $batch)))
        (call $matrix
          (i32.add (local.get $src) (i32.mul (local.get $b) (local.get $bytes)))
          (i32.add (local.get $dst) (i32.mul (local.get $b) (local.get $bytes)))
          (local.get $rows) (local.get $cols))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $matrices)))))
