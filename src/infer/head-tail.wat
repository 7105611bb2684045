;; The head's tail on 8-bit logit codes (head-tail.ts CodeTail): a half-pixel bilinear x2 with
;; edge clamp, then the sigmoid, as one table look-up per output. Per output row, the two source
;; rows are combined as 3 near + far (16-bit, eight columns per SIMD step), then each output is
;; the table entry of 3 p + q or p + 3 q of two neighbouring columns (9a + 3b + 3c + d in 0..4080).
;;
;; Memory: the table at 0 (4081 sigmoid codes, written by head-tail.ts), the row of sums at $row
;; (2 bytes per column, 16 bytes of slack), the logits at $src ($planes planes of $h x $w bytes),
;; the output at $out ($planes planes of 2$h x 2$w bytes).
;; Compiled to head-tail.wasm.ts by `npm run build:wasm`.
(module
  (memory (export "memory") 1)

  (func (export "expand") (param $src i32) (param $planes i32) (param $h i32) (param $w i32) (param $row i32) (param $out i32)
    (local $c i32) (local $y i32) (local $x i32) (local $plane i32) (local $near i32) (local $far i32)
    (local $a i32) (local $b i32) (local $o i32) (local $p i32) (local $q i32) (local $v v128)
    (local $H i32) (local $W i32) (local $simdEnd i32)
    (local.set $H (i32.shl (local.get $h) (i32.const 1)))
    (local.set $W (i32.shl (local.get $w) (i32.const 1)))
    (local.set $simdEnd (i32.and (local.get $w) (i32.const -8)))
    (local.set $o (local.get $out))
    (block $planesDone
      (loop $nextPlane
        (br_if $planesDone (i32.ge_u (local.get $c) (local.get $planes)))
        (local.set $plane (i32.add (local.get $src) (i32.mul (local.get $c) (i32.mul (local.get $h) (local.get $w)))))
        (local.set $y (i32.const 0))
        (block $rowsDone
          (loop $nextRow
            (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $H)))
            ;; Source rows: the nearer (3/4) and the other (1/4), clamped at the edges.
            (local.set $near (i32.shr_u (local.get $y) (i32.const 1)))
            (local.set $far
              (if (result i32) (i32.and (local.get $y) (i32.const 1))
                (then (select (i32.add (local.get $near) (i32.const 1)) (local.get $near) (i32.lt_u (i32.add (local.get $near) (i32.const 1)) (local.get $h))))
                (else (select (i32.sub (local.get $near) (i32.const 1)) (i32.const 0) (i32.gt_u (local.get $near) (i32.const 0))))))
            (local.set $a (i32.add (local.get $plane) (i32.mul (local.get $near) (local.get $w))))
            (local.set $b (i32.add (local.get $plane) (i32.mul (local.get $far) (local.get $w))))
            ;; Vertical: row[x] = 3 a[x] + b[x], eight columns per step, then the rest one by one.
            (local.set $x (i32.const 0))
            (block $vDone
              (loop $v8
                (br_if $vDone (i32.ge_u (local.get $x) (local.get $simdEnd)))
                (local.set $v (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $a) (local.get $x)))))
                (v128.store (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 1)))
                  (i16x8.add
                    (i16x8.add (i16x8.shl (local.get $v) (i32.const 1)) (local.get $v))
                    (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $b) (local.get $x))))))
                (local.set $x (i32.add (local.get $x) (i32.const 8)))
                (br $v8)))
            (block $v1Done
              (loop $v1
                (br_if $v1Done (i32.ge_u (local.get $x) (local.get $w)))
                (i32.store16 (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 1)))
                  (i32.add
                    (i32.mul (i32.load8_u (i32.add (local.get $a) (local.get $x))) (i32.const 3))
                    (i32.load8_u (i32.add (local.get $b) (local.get $x)))))
                (local.set $x (i32.add (local.get $x) (i32.const 1)))
                (br $v1)))
            ;; Horizontal and the sigmoid: the edge columns repeat, the others mix two neighbours.
            (i32.store8 (local.get $o) (i32.load8_u (i32.shl (i32.load16_u (local.get $row)) (i32.const 2))))
            (local.set $p (i32.load16_u (local.get $row)))
            (local.set $x (i32.const 1))
            (block $hDone
              (loop $h1
                (br_if $hDone (i32.ge_u (local.get $x) (local.get $w)))
                (local.set $q (i32.load16_u (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 1)))))
                (i32.store8 (i32.add (local.get $o) (i32.sub (i32.shl (local.get $x) (i32.const 1)) (i32.const 1)))
                  (i32.load8_u (i32.add (i32.mul (local.get $p) (i32.const 3)) (local.get $q))))
                (i32.store8 (i32.add (local.get $o) (i32.shl (local.get $x) (i32.const 1)))
                  (i32.load8_u (i32.add (local.get $p) (i32.mul (local.get $q) (i32.const 3)))))
                (local.set $p (local.get $q))
                (local.set $x (i32.add (local.get $x) (i32.const 1)))
                (br $h1)))
            (i32.store8 (i32.add (local.get $o) (i32.sub (local.get $W) (i32.const 1))) (i32.load8_u (i32.shl (local.get $p) (i32.const 2))))
            (local.set $o (i32.add (local.get $o) (local.get $W)))
            (local.set $y (i32.add (local.get $y) (i32.const 1)))
            (br $nextRow)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $nextPlane)))))
