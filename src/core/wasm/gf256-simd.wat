;; GF(2^8) (polynomial 0x11b) bulk multiply-accumulate with WebAssembly SIMD.
;;
;; Multiplying a byte v by a constant c splits v into nibbles: c·v = c·(v & 15) ^ c·(v & 0xf0), and
;; each half is a 16-entry table lookup, which i8x16.swizzle does for 16 bytes at once (the
;; technique of Intel ISA-L's gf_vect_mul and Plank, Greenan & Miller, "Screaming fast Galois
;; field arithmetic using Intel SIMD instructions", FAST 2013).
;;
;; multiply(out, terms, count, start, end): for every byte position start ≤ i < end,
;;   out[i] = XOR over t < count of  c_t · input_t[i]
;; where term t is a 48-byte record at terms + 48·t: the 16-byte table lo[j] = c_t·j, the 16-byte
;; table hi[j] = c_t·(j << 4), the input's address (i32), then a flag (i32) that is 1 when c_t = 1,
;; for which the product is the input itself (every Shamir split row is [1, x, x², …]). `start` and `end` must be multiples of 64;
;; the caller pads. Loads and stores are unaligned-safe. The memory is imported, so each workspace
;; can give an instance memory of its own, sized once and never grown.
(module
  (import "env" "memory" (memory 1))
  (func (export "multiply") (param $out i32) (param $terms i32) (param $count i32) (param $start i32) (param $end i32)
    (local $i i32) (local $term i32) (local $termsEnd i32) (local $input i32)
    (local $lo v128) (local $hi v128) (local $mask v128) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $i (local.get $start))
    (local.set $mask (i8x16.splat (i32.const 15)))
    (local.set $termsEnd (i32.add (local.get $terms) (i32.mul (local.get $count) (i32.const 48))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0))
        (local.set $a3 (v128.const i64x2 0 0))
        (local.set $term (local.get $terms))
        (block $termsDone
          (loop $eachTerm
            (br_if $termsDone (i32.ge_u (local.get $term) (local.get $termsEnd)))
            (local.set $input (i32.add (i32.load offset=32 (local.get $term)) (local.get $i)))
            (if (i32.load offset=36 (local.get $term))
              (then
                (local.set $a0 (v128.xor (local.get $a0) (v128.load (local.get $input))))
                (local.set $a1 (v128.xor (local.get $a1) (v128.load offset=16 (local.get $input))))
                (local.set $a2 (v128.xor (local.get $a2) (v128.load offset=32 (local.get $input))))
                (local.set $a3 (v128.xor (local.get $a3) (v128.load offset=48 (local.get $input)))))
              (else
                (local.set $lo (v128.load (local.get $term)))
                (local.set $hi (v128.load offset=16 (local.get $term)))
                (local.set $v (v128.load (local.get $input)))
                (local.set $a0 (v128.xor (local.get $a0) (v128.xor
                  (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $mask)))
                  (i8x16.swizzle (local.get $hi) (i8x16.shr_u (local.get $v) (i32.const 4))))))
                (local.set $v (v128.load offset=16 (local.get $input)))
                (local.set $a1 (v128.xor (local.get $a1) (v128.xor
                  (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $mask)))
                  (i8x16.swizzle (local.get $hi) (i8x16.shr_u (local.get $v) (i32.const 4))))))
                (local.set $v (v128.load offset=32 (local.get $input)))
                (local.set $a2 (v128.xor (local.get $a2) (v128.xor
                  (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $mask)))
                  (i8x16.swizzle (local.get $hi) (i8x16.shr_u (local.get $v) (i32.const 4))))))
                (local.set $v (v128.load offset=48 (local.get $input)))
                (local.set $a3 (v128.xor (local.get $a3) (v128.xor
                  (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $mask)))
                  (i8x16.swizzle (local.get $hi) (i8x16.shr_u (local.get $v) (i32.const 4))))))))
            (local.set $term (i32.add (local.get $term) (i32.const 48)))
            (br $eachTerm)))
        (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $a0))
        (v128.store offset=16 (i32.add (local.get $out) (local.get $i)) (local.get $a1))
        (v128.store offset=32 (i32.add (local.get $out) (local.get $i)) (local.get $a2))
        (v128.store offset=48 (i32.add (local.get $out) (local.get $i)) (local.get $a3))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $blocks))))
)
