;; Lowercase hex digits of bytes, 16 input bytes per iteration with WebAssembly SIMD (used by
;; src/render/hex.ts; rebuild the embedded bytes with `node scripts/hex-wasm.mjs`).
;;
;; Memory layout (fixed; the memory never grows, so views of it made in JS stay valid):
;;   [0, 32768)          input: the caller copies up to 32768 bytes here
;;   [32768, 98304)      output: two ASCII digits per input byte, high nibble first
;; The loop runs in whole 16-byte blocks: it reads up to 15 bytes past the input and writes up
;; to 30 bytes past the 2n digits it owes; both stay inside the memory and the caller copies only
;; the 2n digits out.
(module
  (memory (export "memory") 2)
  (func (export "hex") (param $n i32)
    (local $i i32) (local $o i32) (local $v v128) (local $hi v128) (local $lo v128)
    (local.set $o (i32.const 32768))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (v128.load (local.get $i)))
        ;; Each nibble (0..15) indexes the 16 digit characters "0123456789abcdef".
        (local.set $hi (i8x16.swizzle
          (v128.const i8x16 48 49 50 51 52 53 54 55 56 57 97 98 99 100 101 102)
          (i8x16.shr_u (local.get $v) (i32.const 4))))
        (local.set $lo (i8x16.swizzle
          (v128.const i8x16 48 49 50 51 52 53 54 55 56 57 97 98 99 100 101 102)
          (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))))
        ;; Interleave: byte k gives digits hi[k], lo[k] at output 2k, 2k+1.
        (v128.store (local.get $o)
          (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $hi) (local.get $lo)))
        (v128.store offset=16 (local.get $o)
          (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $hi) (local.get $lo)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $next)))))
